namespace Kahuna.Tests.Faults.Support;

/// <summary>The faults the scheduler inflicts (three nodes: a minority is one node, a majority two).</summary>
public enum FaultKind
{
    /// <summary>kill -9 of one node, restarted after the hold.</summary>
    KillOne,

    /// <summary>kill -9 of two nodes at once (every partition loses its quorum), restarted after the hold.</summary>
    KillMajority,

    /// <summary>kill -9 of every node at once, all restarted after the hold.</summary>
    KillAll,

    /// <summary>SIGSTOP of one node for longer than an election timeout and a lock lease, then SIGCONT.</summary>
    PauseOne,

    /// <summary>One node cut off from the other two (a minority/majority partition).</summary>
    PartitionOne,

    /// <summary>One link cut, the third node still talking to both ends (a bridge: two overlapping majorities).</summary>
    PartitionBridge,

    /// <summary>Raft leadership of one partition handed to another node.</summary>
    TransferLeadership,
}

/// <summary>One step: inflict <see cref="Kind"/> on <see cref="Nodes"/>, keep it for <see cref="Hold"/>, undo it, then wait <see cref="Quiet"/>.</summary>
public sealed record FaultStep(FaultKind Kind, IReadOnlyList<string> Nodes, int Partition, TimeSpan Hold, TimeSpan Quiet)
{
    public override string ToString() =>
        $"{Kind}({string.Join(",", Nodes)}{(Kind == FaultKind.TransferLeadership ? $", partition {Partition}" : "")}) hold {Hold.TotalSeconds:F1}s quiet {Quiet.TotalSeconds:F1}s";
}

/// <summary>
/// A seeded list of fault steps: the same seed gives the same faults, targets and timings (the interleaving of the
/// load with them still varies between runs). Kinds come in shuffled rounds, so every round inflicts every kind once
/// and even a short run covers them all.
/// </summary>
public static class FaultSchedule
{
    /// <summary>Longer than an election timeout (about 1 s with the test clusters' 50 ms ticks) and than a lock lease (2 s).</summary>
    public static readonly TimeSpan MinimumPause = TimeSpan.FromSeconds(3);

    public static IReadOnlyList<FaultStep> Generate(long seed, IReadOnlyList<string> nodes, int partitions, int steps)
    {
        var random = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var kinds = Enum.GetValues<FaultKind>();
        var schedule = new List<FaultStep>(steps);
        while (schedule.Count < steps)
        {
            foreach (var kind in kinds.OrderBy(_ => random.Next()).ToList())
            {
                if (schedule.Count == steps) break;
                schedule.Add(Step(kind, random, nodes, partitions));
            }
        }
        return schedule;
    }

    private static FaultStep Step(FaultKind kind, Random random, IReadOnlyList<string> nodes, int partitions)
    {
        var shuffled = nodes.OrderBy(_ => random.Next()).ToList();
        TimeSpan Seconds(double min, double max) => TimeSpan.FromSeconds(min + random.NextDouble() * (max - min));
        var quiet = Seconds(0.5, 2);
        return kind switch
        {
            FaultKind.KillOne => new FaultStep(kind, shuffled.Take(1).ToList(), 0, Seconds(0.5, 3), quiet),
            FaultKind.KillMajority => new FaultStep(kind, shuffled.Take(2).ToList(), 0, Seconds(0.5, 2), quiet),
            FaultKind.KillAll => new FaultStep(kind, shuffled, 0, Seconds(0.2, 1.5), quiet),
            FaultKind.PauseOne => new FaultStep(kind, shuffled.Take(1).ToList(), 0, MinimumPause + Seconds(0, 2), quiet),
            FaultKind.PartitionOne => new FaultStep(kind, shuffled.Take(1).ToList(), 0, Seconds(2.5, 5), quiet),
            FaultKind.PartitionBridge => new FaultStep(kind, shuffled.Take(2).ToList(), 0, Seconds(2.5, 5), quiet),
            _ => new FaultStep(kind, shuffled.Take(1).ToList(), random.Next(partitions), TimeSpan.FromSeconds(1), quiet),
        };
    }
}
