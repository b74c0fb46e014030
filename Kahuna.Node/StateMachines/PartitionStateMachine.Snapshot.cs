using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Locks;
using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Node.StateMachines.Sessions;
using MessagePack;

namespace Kahuna.Node.StateMachines;

public sealed partial class PartitionStateMachine
{
    /// <summary>
    /// The whole state (all stores, counters, sessions, now, last applied index) as MessagePack. Equal states give
    /// equal bytes: every collection is written in a canonical order.
    /// </summary>
    public byte[] TakeSnapshot() => MessagePackSerializer.Serialize(
        new PartitionSnapshot(
            PartitionSnapshot.CurrentFormat,
            LastAppliedIndex,
            NowMs,
            Locks.ToSnapshot(),
            KeyValues.ToSnapshot(),
            Sequences.ToSnapshot(),
            Sessions.ToSnapshot()),
        PartitionCommandCodec.Options);

    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        var state = MessagePackSerializer.Deserialize<PartitionSnapshot>(snapshot, PartitionCommandCodec.Options);
        if (state.Format != PartitionSnapshot.CurrentFormat)
        {
            throw new InvalidDataException($"partition snapshot format {state.Format} is not supported");
        }

        LastAppliedIndex = state.LastAppliedIndex;
        NowMs = state.NowMs;
        Locks.LoadSnapshot(state.Locks);
        KeyValues.LoadSnapshot(state.KeyValues);
        Sequences.LoadSnapshot(state.Sequences);
        Sessions.LoadSnapshot(state.Sessions);
    }
}

/// <summary>A partition's whole state. Part of the on-disk format: keys are append only; bump the format on a breaking change.</summary>
[MessagePackObject]
public sealed record PartitionSnapshot(
    [property: Key(0)] int Format,
    [property: Key(1)] long LastAppliedIndex,
    [property: Key(2)] long NowMs,
    [property: Key(3)] LockStoreSnapshot Locks,
    [property: Key(4)] KeyValueStoreSnapshot KeyValues,
    [property: Key(5)] SequenceStoreSnapshot Sequences,
    [property: Key(6)] ClientSessionSnapshot Sessions)
{
    public const int CurrentFormat = 1;
}
