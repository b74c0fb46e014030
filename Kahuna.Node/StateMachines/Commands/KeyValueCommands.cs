using Kahuna.Node.StateMachines.KeyValues;
using MessagePack;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// Write <paramref name="Value"/> under <paramref name="Key"/> if every condition holds against the live value.
/// <paramref name="TtlMs"/> 0 means no expiry. <paramref name="CompareRevision"/> null means "do not compare".
/// </summary>
[MessagePackObject]
public sealed record SetKeyValueCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Key,
    [property: Key(4)] byte[] Value,
    [property: Key(5)] long TtlMs,
    [property: Key(6)] SetCondition Conditions,
    [property: Key(7)] byte[]? CompareValue,
    [property: Key(8)] long? CompareRevision) : IWriteCommand, IKeyValueCommand;

/// <summary>
/// Delete a live key by writing a tombstone revision; with a compare value or revision, only if the key holds it.
/// The compare fields came with 1.1.0: an older replica would read them as absent and delete unconditionally, so a
/// leader proposes a conditional delete only once no older node is left (<see cref="Partitions.CommandVersionGate"/>).
/// </summary>
[MessagePackObject]
public sealed record DeleteKeyValueCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Key,
    [property: Key(4)] byte[]? CompareValue = null,
    [property: Key(5)] long? CompareRevision = null) : IWriteCommand, IKeyValueCommand;

/// <summary>Set a live key's expiry to now + <paramref name="TtlMs"/> (0 removes the expiry) without changing its value.</summary>
[MessagePackObject]
public sealed record ExtendKeyValueCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Key,
    [property: Key(4)] long TtlMs) : IWriteCommand, IKeyValueCommand;

/// <summary>
/// Housekeeping proposed by the leader: delete the listed keys that are expired as of <paramref name="TimestampMs"/>
/// (each gets a tombstone revision). Keys not expired at that time are left alone.
/// </summary>
[MessagePackObject]
public sealed record ExpireKeysCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] string[] Keys) : IKeyValueCommand;

/// <summary>
/// Write every one of <paramref name="Writes"/> unconditionally, in order, as one command: all of them take effect
/// in the same apply (consecutive revisions), or none when any is malformed.
/// </summary>
[MessagePackObject]
public sealed record SetManyKeyValuesCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] KeyValueWrite[] Writes) : IWriteCommand, IKeyValueCommand;

/// <summary>
/// Delete every live one of <paramref name="Keys"/>, in order, as one command: each gets a tombstone in the same apply
/// (consecutive revisions), absent ones nothing; or no key changes when the list is malformed.
/// </summary>
[MessagePackObject]
public sealed record DeleteManyKeyValuesCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string[] Keys) : IWriteCommand, IKeyValueCommand;

/// <summary>One write of a <see cref="SetManyKeyValuesCommand"/>; <paramref name="TtlMs"/> 0 means no expiry.</summary>
[MessagePackObject]
public sealed record KeyValueWrite(
    [property: Key(0)] string Key,
    [property: Key(1)] byte[] Value,
    [property: Key(2)] long TtlMs);
