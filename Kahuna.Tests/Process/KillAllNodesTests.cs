using Kahuna.Tests.ProcessLevel.Support;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>
/// kill -9 of all three processes at once in the middle of a write load: only what was fsynced survives, and an
/// acknowledged persistent write must have been fsynced on a majority before it was acknowledged.
/// </summary>
[Collection("cluster")]
public sealed class KillAllNodesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KillDashNine_OfEveryNodeAtOnce_UnderLoad_EveryAcknowledgedWriteSurvivesTheRestart()
    {
        await using var cluster = await KahunaProcessCluster.StartAsync(output);
        var firstPids = cluster.NodeIds.Select(id => cluster.PidOf(id)!.Value).ToList();
        await cluster.RunAsync(async () =>
        {
            await using var load = BackgroundLoad.Start(cluster);
            var history = load.History;
            await load.WaitForAnswersAsync(200, TimeSpan.Zero, Within);

            cluster.KillAll();
            await load.StopAsync(); // operations in flight end indeterminate: they may or may not have been applied
            var beforeKill = history.Operations;
            output.WriteLine($"killed under load: {beforeKill.Count(o => o.Outcome == Outcome.Acknowledged)} operations acknowledged, " +
                $"{beforeKill.Count(o => o.Outcome == Outcome.Indeterminate)} in flight (indeterminate)");

            var restart = System.Diagnostics.Stopwatch.StartNew();
            await cluster.StartStoppedNodesAsync();
            await cluster.WaitHealthyAsync(Within);
            output.WriteLine($"all three restarted from their data and serving after {restart.Elapsed.TotalSeconds:F2} s");

            await using var client = cluster.CreateClient();
            var lost = await HistoryChecks.FindLostWritesAsync(client, history);
            output.WriteLine($"{HistoryChecks.AcknowledgedKeys(history)} keys with an acknowledged write checked");
            Assert.True(lost.Count == 0, HistoryChecks.Describe("after kill -9 of every node, acknowledged writes", lost));
            var tokenRegressions = HistoryChecks.FindFencingTokenRegressions(history);
            Assert.True(tokenRegressions.Count == 0, HistoryChecks.Describe("fencing tokens before the crash", tokenRegressions));
            var sequenceRegressions = HistoryChecks.FindSequenceRegressions(history);
            Assert.True(sequenceRegressions.Count == 0, HistoryChecks.Describe("sequence ranges before the crash", sequenceRegressions));
            // The counters behind tokens and sequences come back from disk: new grants and values continue above the old ones.
            await KillNodeFailoverTests.AssertLocksAndSequencesContinueAboveAsync(client, history);
        });

        // The fixture's own promise, checked here because this test kills and restarts every process: dispose kills
        // every process it ever started (by PID) and deletes the data.
        var restartedPids = cluster.NodeIds.Select(id => cluster.PidOf(id)!.Value).ToList();
        await cluster.DisposeAsync();
        foreach (var pid in firstPids.Concat(restartedPids))
            Assert.False(ProcessIsAlive(pid), $"process {pid} is still running after dispose");
        Assert.False(Directory.Exists(cluster.RunDirectory), $"{cluster.RunDirectory} still exists after dispose");
    }

    private static bool ProcessIsAlive(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }
}
