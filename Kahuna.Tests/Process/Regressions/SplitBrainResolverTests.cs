using System.Diagnostics;
using Kahuna.Protocol.Client;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.ProcessLevel.Regressions;

/// <summary>
/// Found by the kill -9 tests (fixed: no automatic downing; see hocon/kahuna.conf). A restarted node serves (Raft counts it) as soon as the Akka cluster accepts it as
/// Joining, but it only becomes Up once gossip converges, and convergence stalls while any member is unreachable.
/// The split brain resolver (hocon/kahuna.conf: keep-majority) counts only Up members. So when a node dies while
/// another is still Joining, the resolver sees two Up members, one unreachable: a tie, which keep-majority breaks
/// by keeping the side with the lowest address. If the dead node had the lowest address, the healthy survivor downs
/// itself and its process exits, although it and the joining node are a Raft majority; the joining node, left
/// alone, follows. Losing one node of three takes the whole cluster down.
/// The same resolver also fired without any kill in progress: on a starved machine (load average ~25) the failure
/// detector marked a freshly restarted node and a third node unreachable from each other, and the resolver downed
/// both as "indirectly connected" although the Raft leader reached both; the cluster was lost. Raft needs no downing
/// to stay safe (hocon/kahuna.conf says so): the fix belongs there, not in the tests.
/// </summary>
[Collection("cluster")]
public sealed class SplitBrainResolverTests(ITestOutputHelper output)
{
    /// <summary>If a resolver were ever configured again, decide quickly enough for this test to see it.</summary>
    private const string FastDecisions = "akka.cluster.split-brain-resolver.stable-after = 4s";

    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    /// <summary>Long enough for the resolver to decide (stable-after) and act, with margin.</summary>
    private static readonly TimeSpan Watch = TimeSpan.FromSeconds(12);

    [Fact]
    public async Task NodeKilled_WhileARestartedNodeIsStillJoining_TheOtherTwoKeepServing()
    {
        await using var cluster = await KahunaProcessCluster.StartAsync(output, extraConfig: FastDecisions);
        await cluster.RunAsync(async () =>
        {
            // By cluster address (same host, so by port): the restarted node is the highest, the killed one the lowest.
            var byAddress = cluster.NodeIds.OrderBy(cluster.ClusterPortOf).ToList();
            string killed = byAddress[0], survivor = byAddress[1], restarted = byAddress[2];
            output.WriteLine($"restart {restarted}, then kill {killed} (lowest address) while {restarted} is Joining; {survivor} must keep serving");

            cluster.KillNode(restarted);
            await cluster.StartNodeAsync(restarted);
            await cluster.WaitMemberJoiningAsync(restarted, Within);
            cluster.KillNode(killed);

            // The survivor and the restarted node are two of three replicas of every partition: a Raft majority.
            await cluster.WaitServesAsync(survivor, Within);
            await using var client = cluster.ClientOf(survivor, requestTimeout: TimeSpan.FromSeconds(5));
            var watch = Stopwatch.StartNew();
            for (int i = 0; watch.Elapsed < Watch; i++)
            {
                Assert.True(cluster.IsRunning(survivor),
                    $"{survivor} exited {watch.Elapsed.TotalSeconds:F1} s after {killed} was killed (its split brain resolver downed it)");
                try
                {
                    await client.SetAsync(cluster.Keys.Key(i % cluster.Keys.Count, "still-serving"), $"{i}");
                }
                catch (KahunaException ex)
                {
                    Assert.Fail($"{survivor} stopped serving {watch.Elapsed.TotalSeconds:F1} s after {killed} was killed " +
                        $"({(cluster.IsRunning(survivor) ? "still running" : "its process exited: its split brain resolver downed it")}): {ex.Message}");
                }
            }
            Assert.True(cluster.IsRunning(restarted), $"{restarted} exited");
        });
    }
}
