using MessagePack;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// Take <paramref name="Count"/> values of sequence <paramref name="Name"/>. With an <paramref name="IdempotencyKey"/>,
/// a retry within the retention window gets the same range back.
/// </summary>
[MessagePackObject]
public sealed record NextSequenceCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Name,
    [property: Key(4)] long Count,
    [property: Key(5)] string? IdempotencyKey) : IWriteCommand, ISequenceCommand;

/// <summary>
/// Reserve a block of <paramref name="BlockSize"/> values for the leader to hand out from memory
/// (see <see cref="Sequences.SequenceBlockAllocator"/>).
/// </summary>
[MessagePackObject]
public sealed record ReserveSequenceBlockCommand(
    [property: Key(0)] long TimestampMs,
    [property: Key(1)] OperationId? Operation,
    [property: Key(2)] long CompletedBelow,
    [property: Key(3)] string Name,
    [property: Key(4)] long BlockSize) : IWriteCommand, ISequenceCommand;
