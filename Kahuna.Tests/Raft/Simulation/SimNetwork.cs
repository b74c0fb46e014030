using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

/// <summary>
/// An unreliable network under the simulator's control: messages are delayed (and so reordered), dropped,
/// duplicated, and links can be cut in one or both directions.
/// </summary>
internal sealed class SimNetwork(Random random)
{
    private readonly PriorityQueue<RaftMessage, (long At, long Seq)> _inFlight = new();
    private readonly HashSet<(string From, string To)> _cut = new();
    private long _seq;

    public double DropRate { get; set; }
    public double DuplicateRate { get; set; }
    public double LongDelayRate { get; set; } = 0.05;
    public int Count => _inFlight.Count;
    public bool HasCuts => _cut.Count > 0;

    public void Send(RaftMessage m, long now)
    {
        if (random.NextDouble() < DropRate) return;
        Enqueue(m, now);
        if (random.NextDouble() < DuplicateRate) Enqueue(m, now);
    }

    private void Enqueue(RaftMessage m, long now)
    {
        var delay = random.NextDouble() < LongDelayRate ? random.Next(10, 60) : random.Next(1, 9);
        _inFlight.Enqueue(m, (now + delay, _seq++));
    }

    /// <summary>Messages due at or before now whose link is not cut (cut links drop them).</summary>
    public IEnumerable<RaftMessage> Due(long now)
    {
        while (_inFlight.TryPeek(out var m, out var at) && at.At <= now)
        {
            _inFlight.Dequeue();
            if (_cut.Contains((m.From, m.To))) continue;
            yield return m;
        }
    }

    public void Cut(string from, string to) => _cut.Add((from, to));

    /// <summary>Splits the replicas into two sides that cannot talk to each other.</summary>
    public void Partition(IReadOnlyCollection<string> side, IEnumerable<string> all)
    {
        foreach (var a in side)
        foreach (var b in all)
        {
            if (side.Contains(b)) continue;
            _cut.Add((a, b));
            _cut.Add((b, a));
        }
    }

    public void Heal() => _cut.Clear();
}
