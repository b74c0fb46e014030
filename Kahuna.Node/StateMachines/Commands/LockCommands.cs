using MessagePack;

namespace Kahuna.Node.StateMachines.Commands;

// Keys 0..2 are the same in every write command (timestamp, operation, floor); the command's own fields follow.

/// <summary>Acquire <paramref name="Resource"/> for <paramref name="Owner"/> for <paramref name="LeaseMs"/>, or re-acquire it idempotently.</summary>
[MessagePackObject]
public sealed record TryLockCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Resource,
    [property: Key(4)] byte[] Owner,
    [property: Key(5)] long LeaseMs) : IWriteCommand, ILockCommand;

/// <summary>Move the lease of a held lock to now + <paramref name="LeaseMs"/>; only the owner may.</summary>
[MessagePackObject]
public sealed record ExtendLockCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Resource,
    [property: Key(4)] byte[] Owner,
    [property: Key(5)] long LeaseMs) : IWriteCommand, ILockCommand;

/// <summary>Release a held lock; only the owner may.</summary>
[MessagePackObject]
public sealed record UnlockCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Resource,
    [property: Key(4)] byte[] Owner) : IWriteCommand, ILockCommand;

/// <summary>
/// Housekeeping proposed by the leader: drop the listed locks that are expired as of <paramref name="TimestampMs"/>.
/// Locks not expired at that time are left alone, so a stale list is harmless.
/// </summary>
[MessagePackObject]
public sealed record ExpireLocksCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] string[] Resources) : ILockCommand;
