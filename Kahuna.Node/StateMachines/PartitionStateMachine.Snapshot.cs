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

    /// <summary>
    /// Seam for partition splits: a new machine holding the locks, keys and sequences whose hash is in
    /// [<paramref name="firstHash"/>, <paramref name="lastHash"/>], removed from this one. Both keep the fencing and
    /// revision counters (so tokens and revisions keep increasing in each child), the machine's now, and a full copy
    /// of the client sessions (a retry may reach either child). The child's log starts afresh (no applied index).
    /// </summary>
    public PartitionStateMachine SplitOff(Func<string, ulong> hash, ulong firstHash, ulong lastHash)
    {
        var child = new PartitionStateMachine(_options);
        child.NowMs = NowMs;
        child.Locks.LoadSnapshot(Locks.SplitOff(hash, firstHash, lastHash).ToSnapshot());
        child.KeyValues.LoadSnapshot(KeyValues.SplitOff(hash, firstHash, lastHash).ToSnapshot());
        child.Sequences.LoadSnapshot(Sequences.SplitOff(hash, firstHash, lastHash).ToSnapshot());
        child.Sessions.LoadSnapshot(Sessions.ToSnapshot());
        return child;
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
