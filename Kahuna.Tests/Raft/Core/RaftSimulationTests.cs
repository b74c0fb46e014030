using Kahuna.Tests.Raft.Simulation;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// Deterministic simulation of the Raft core under faults. CI runs 2,000 seeds; a long run is
/// `KAHUNA_SIM_SEEDS=100000 dotnet test Kahuna.Akka.sln --filter RaftSimulationTests`, and one seed replays with
/// `KAHUNA_SIM_SEED=n dotnet test Kahuna.Akka.sln --filter RaftSimulationTests.ReplaySeed`.
/// </summary>
public sealed class RaftSimulationTests(ITestOutputHelper output)
{
    private static int SeedCount => int.TryParse(Environment.GetEnvironmentVariable("KAHUNA_SIM_SEEDS"), out var n) ? n : 2000;
    private static int FirstSeed => int.TryParse(Environment.GetEnvironmentVariable("KAHUNA_SIM_FIRST_SEED"), out var n) ? n : 0;

    [Fact]
    public void ManySeeds_KeepEverySafetyPropertyAndStayLive()
    {
        var failures = new System.Collections.Concurrent.ConcurrentBag<(int Seed, string Report)>();
        long reads = 0, writes = 0, faults = 0, leaders = 0;
        Parallel.For(FirstSeed, FirstSeed + SeedCount, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, seed =>
        {
            var cluster = new SimCluster(SimScenario.FromSeed(seed));
            try
            {
                cluster.Run();
                Interlocked.Add(ref reads, cluster.History.ReadsChecked);
                Interlocked.Add(ref writes, cluster.History.WritesAcknowledged);
                Interlocked.Add(ref faults, cluster.Faults);
                Interlocked.Add(ref leaders, cluster.History.LeadersElected);
            }
            catch (SimulationViolation e)
            {
                failures.Add((seed, e.Message));
            }
        });
        output.WriteLine($"{SeedCount} seeds: {writes} writes acknowledged, {reads} linearizable reads checked, {faults} faults injected, {leaders} leaders elected");
        if (!failures.IsEmpty)
        {
            var first = failures.OrderBy(f => f.Seed).First();
            Assert.Fail($"{failures.Count} of {SeedCount} seeds failed (seeds {string.Join(",", failures.Select(f => f.Seed).OrderBy(s => s).Take(20))}). First:\n{first.Report}");
        }
    }

    [Fact]
    public void ReplaySeed()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("KAHUNA_SIM_SEED"), out var s) ? s : 42;
        var cluster = new SimCluster(SimScenario.FromSeed(seed));
        cluster.Run();
        output.WriteLine($"seed {seed}: {cluster.History.WritesAcknowledged} writes, {cluster.History.ReadsChecked} reads, {cluster.Faults} faults");
        Assert.True(cluster.History.WritesAcknowledged > 0, "a run that commits nothing proves nothing");
    }
}
