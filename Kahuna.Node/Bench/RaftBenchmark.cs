using System.Diagnostics;
using Akka.Actor;
using HdrHistogram;
using Kahuna.Node.Storage;

namespace Kahuna.Node.Bench;

/// <summary>Which replica shell `kahuna bench raft` measures.</summary>
public enum RaftBenchShell
{
    /// <summary>The product's: one persistent actor per replica (DESIGN §3).</summary>
    ReplicaActors,
    /// <summary>A prototype for comparison: every group of a node in one actor, one write and one batch per peer per pass.</summary>
    NodePass,
}

public sealed record RaftBenchOptions
{
    public RaftBenchShell Shell { get; init; } = RaftBenchShell.ReplicaActors;
    public IReadOnlyList<int> Groups { get; init; } = [1, 16, 64];
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    /// <summary>Proposals in flight across all groups (split evenly, at least 4 per group).</summary>
    public int InFlight { get; init; } = 1024;
    public int PayloadBytes { get; init; } = 128;
    /// <summary>Entries written before the recovery measurement (0 = skip it).</summary>
    public int RecoveryEntries { get; init; } = 200_000;
    public string RaftOverrides { get; init; } = "tick-interval = 100ms";
    /// <summary>Akka log level of the benchmark's nodes (OFF keeps --json output clean).</summary>
    public string LogLevel { get; init; } = "ERROR";
}

public sealed record RaftBenchRow(int Groups, double EntriesPerSecond, double P50Ms, double P99Ms, double MaxMs, long Failed,
    double LoadAverage, double MeanRunnable, int MaxThreads, double EventsPerFsync);

public sealed record RecoveryRow(long Entries, double Seconds, double EntriesPerSecond);

/// <summary>
/// `kahuna bench raft`: three nodes in this process (real Akka remoting between ActorSystems, SQLite with fsync),
/// 1/16/64 Raft groups with a replica on every node, a closed loop of 128-byte proposals on each leader's node.
/// Reports committed entries/s, commit latency, how loaded the machine was, and recovery speed on restart.
/// </summary>
public static class RaftBenchmark
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];

    public static async Task<RaftBenchRow> RunGroupsAsync(int groups, RaftBenchOptions options, Action<string> log, CancellationToken ct)
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new BenchApplication(), options.RaftOverrides, options.LogLevel);
        var leaders = await StartGroupsAsync(cluster, groups, log);
        var drivers = await StartDriversAsync(cluster, leaders, Math.Max(4, options.InFlight / groups), options.PayloadBytes);
        return await MeasureAsync(groups, drivers, options, WriterCounters, ct);
    }

    /// <summary>
    /// Lets the drivers (already proposing) warm up, then measures them for the configured duration: committed
    /// entries/s, latency, machine load, and rows per fsync from <paramref name="writerCounters"/> (commits, rows).
    /// </summary>
    internal static async Task<RaftBenchRow> MeasureAsync(int groups, IReadOnlyList<IActorRef> drivers, RaftBenchOptions options,
        Func<(long Commits, long Rows)> writerCounters, CancellationToken ct)
    {
        await Task.Delay(options.Warmup, ct);
        await using var sampler = new MachineSampler();
        var (commits0, rows0) = writerCounters();
        foreach (var d in drivers) d.Tell(new RaftBenchDriver.Begin(Measure: true));
        var clock = Stopwatch.StartNew();
        await Task.Delay(options.Duration, ct);
        var results = await Task.WhenAll(drivers.Select(d => d.Ask<RaftBenchDriver.Results>(new RaftBenchDriver.Finish(), TimeSpan.FromSeconds(30))));
        var seconds = clock.Elapsed.TotalSeconds;
        var (commits1, rows1) = writerCounters();
        var latency = new LongHistogram(60_000_000, 3);
        foreach (var r in results) latency.Add(r.Latency);
        var committed = results.Sum(r => r.Committed);
        return new RaftBenchRow(groups, committed / seconds,
            latency.GetValueAtPercentile(50) / 1000.0, latency.GetValueAtPercentile(99) / 1000.0, latency.GetMaxValue() / 1000.0,
            results.Sum(r => r.Failed), sampler.LoadAverage, sampler.MeanRunnable, sampler.MaxThreads,
            commits1 > commits0 ? (double)(rows1 - rows0) / (commits1 - commits0) : 0);
    }

    /// <summary>"n1=3, n2=3, n3=2": how many groups each node leads.</summary>
    internal static string LeadersPerNode(IEnumerable<string> leaders) =>
        string.Join(", ", leaders.GroupBy(n => n).OrderBy(x => x.Key).Select(x => $"{x.Key}={x.Count()}"));

    /// <summary>
    /// Writes entries into one group without snapshots (so they all stay in the journal), restarts a node, and
    /// measures how fast its replica replays them.
    /// </summary>
    public static async Task<RecoveryRow> RunRecoveryAsync(RaftBenchOptions options, Action<string> log, CancellationToken ct)
    {
        var overrides = options.RaftOverrides + "\nsnapshot-every-entries = 1000000000\nsnapshot-every-bytes = 100GiB";
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new BenchApplication(), overrides, options.LogLevel);
        var leaders = await StartGroupsAsync(cluster, 1, log);
        var drivers = await StartDriversAsync(cluster, leaders, options.InFlight, options.PayloadBytes);
        var follower = Nodes.First(n => n != leaders[0]);
        await Poll.ValueAsync(async () =>
        {
            var st = await cluster.StatusAsync(follower, "b0");
            return st.Raft.Applied >= options.RecoveryEntries ? st : null;
        }, TimeSpan.FromMinutes(10), $"{options.RecoveryEntries} entries applied on {follower}");
        foreach (var d in drivers) await d.Ask<RaftBenchDriver.Results>(new RaftBenchDriver.Finish(), TimeSpan.FromSeconds(30));
        await cluster.StopNodeAsync(follower);
        log($"{follower} stopped; restarting it from its journal");
        await cluster.StartNodeAsync(follower);
        var status = await Poll.ValueAsync(async () =>
        {
            var st = await cluster.StatusAsync(follower, "b0");
            return st.RecoveredEntries > 0 ? st : null;
        }, TimeSpan.FromMinutes(5), "the restarted replica's recovery");
        var recoverySeconds = status.RecoveryMillis / 1000.0;
        return new RecoveryRow(status.RecoveredEntries, recoverySeconds, status.RecoveredEntries / recoverySeconds);
    }

    private static async Task<Dictionary<int, string>> StartGroupsAsync(LocalRaftCluster cluster, int groups, Action<string> log)
    {
        for (var g = 0; g < groups; g++) await cluster.StartGroupAsync($"b{g}", Nodes);
        var leaders = new Dictionary<int, string>();
        for (var g = 0; g < groups; g++) leaders[g] = await cluster.AwaitLeaderAsync($"b{g}", TimeSpan.FromSeconds(60));
        log($"{groups} group(s) elected; leaders per node: {LeadersPerNode(leaders.Values)}");
        return leaders;
    }

    /// <summary>One driver per node, proposing (by local Tell) only to the groups that node leads, as a leader's own clients would.</summary>
    private static async Task<List<IActorRef>> StartDriversAsync(LocalRaftCluster cluster, Dictionary<int, string> leaders, int perGroup, int payloadBytes)
    {
        var payload = new byte[payloadBytes];
        Random.Shared.NextBytes(payload);
        var drivers = new List<IActorRef>();
        foreach (var node in Nodes)
        {
            var targets = new List<RaftBenchDriver.Target>();
            foreach (var (g, leader) in leaders)
                if (leader == node) targets.Add(new RaftBenchDriver.Target(g, await cluster.ReplicaAsync(node, $"b{g}")));
            if (targets.Count == 0) continue;
            var driver = cluster.System(node).ActorOf(RaftBenchDriver.Props(targets, perGroup, payload));
            driver.Tell(new RaftBenchDriver.Begin(Measure: false));
            drivers.Add(driver);
        }
        return drivers;
    }

    private static (long Commits, long Rows) WriterCounters() =>
        SqlGroupCommitJournal.AllCommits is var c ? (c, SqlGroupCommitJournal.AllRows) : (0, 0);
}
