using Kahuna.Raft.Core;

namespace Kahuna.Benchmarks;

/// <summary>
/// A Raft group of pure <see cref="RaftNode"/>s wired by hand: every Ready is taken at once (its entries count as
/// persisted, since the core keeps them in memory anyway), its messages queued, and the queue delivered in order
/// until the group is quiet. No loss, no reordering, no ticks: only the core's own work is measured.
/// </summary>
internal sealed class InMemoryRaftGroup
{
    // Compact once a replica holds this many applied entries, as a host does after a checkpoint, so a long run
    // neither grows the log without bound nor measures an ever larger list.
    private const long CompactAfterEntries = 4096;

    private readonly Dictionary<string, RaftNode> _nodes = new(StringComparer.Ordinal);
    private readonly Queue<RaftMessage> _inFlight = new();

    private InMemoryRaftGroup(IEnumerable<string> ids)
    {
        var configuration = RaftConfiguration.Of(ids);
        foreach (var id in configuration.Voters)
            _nodes[id] = new RaftNode(new RaftOptions { Id = id, Random = new NoRandom() }, RaftStorageState.Bootstrap(configuration));
    }

    public RaftNode Leader { get; private set; } = null!;

    /// <summary>A group of <paramref name="size"/> voters whose first replica has been elected (production options).</summary>
    public static InMemoryRaftGroup Elect(int size)
    {
        var group = new InMemoryRaftGroup(Enumerable.Range(1, size).Select(i => $"node-{i}"));
        var first = group._nodes.Values.First();
        first.Campaign();
        group.DeliverUntilQuiet();
        if (!first.IsLeader) throw new InvalidOperationException($"{first.Id} was not elected: {first.Role}");
        group.Leader = first;
        return group;
    }

    /// <summary>Takes every replica's Ready, then delivers messages (and the messages they cause) until none are left.</summary>
    public void DeliverUntilQuiet()
    {
        foreach (var node in _nodes.Values) TakeReady(node);
        while (_inFlight.TryDequeue(out var message))
        {
            var to = _nodes[message.To];
            to.Step(message);
            TakeReady(to); // only the replica just stepped can have new work
        }
    }

    /// <summary>Drops the applied prefix of each replica's log once it is long (the host's checkpoint + compaction).</summary>
    public void CompactIfLong()
    {
        foreach (var node in _nodes.Values)
        {
            var applied = node.AppliedIndex;
            if (applied - node.FirstIndex < CompactAfterEntries) continue;
            if (node.SnapshotMetadataAt(applied) is not { } snapshot) continue;
            node.SnapshotSaved(snapshot);
            node.CompactLog(applied);
        }
    }

    private void TakeReady(RaftNode node)
    {
        while (node.HasReady())
        {
            var ready = node.GetReady();
            // Persist (nothing to do: the entries stay in the core's log), send, apply (nothing to apply to), advance.
            foreach (var message in ready.Messages) _inFlight.Enqueue(message);
            node.Advance(ready);
        }
    }

    /// <summary>The group never ticks, so election timeouts are never drawn; any constant will do.</summary>
    private sealed class NoRandom : IRaftRandom
    {
        public int Next(int maxExclusive) => 0;
    }
}
