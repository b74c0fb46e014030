using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Faults.Support;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults;

/// <summary>
/// The partition fault itself, on three real processes using Akka's throttle transport adapter: isolating a node stops
/// its Raft traffic (the others elect leaders among themselves and keep serving; the isolated node cannot commit), and
/// healing restores it (the isolated node serves every partition again).
/// </summary>
[Collection("cluster")]
public sealed class NetworkPartitionTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task IsolatedNode_CannotCommit_OthersKeepServing_HealRestoresIt()
    {
        await using var faults = await FaultCluster.StartAsync(output);
        var cluster = faults.Cluster;
        await cluster.RunAsync(async () =>
        {
            const string isolated = "n1";
            string[] rest = ["n2", "n3"];
            var answer = await faults.SendAsync(isolated, FaultInjectionAction.BlockTraffic, rest);
            Assert.Equal(rest, answer!.Applied);
            await faults.PartitionAsync([isolated], rest); // and from the other side too, as the fault suite does

            // The majority side serves every partition on its own, whoever led before.
            await cluster.WaitServesAsync("n2", Within);
            await cluster.WaitServesAsync("n3", Within);

            // The isolated node can neither commit a write nor confirm a read: every partition leader is elsewhere or cut off.
            await using (var cutOff = cluster.ClientOf(isolated, requestTimeout: TimeSpan.FromSeconds(3)))
            {
                await Task.WhenAll(cluster.Keys.All.Select(async partition =>
                {
                    var ex = await Assert.ThrowsAsync<KahunaException>(() => cutOff.SetAsync(cluster.Keys.Key(partition, "cut-off"), "x"));
                    Assert.True(ex.Status is KahunaStatus.Timeout or KahunaStatus.Retry, $"partition {partition}: {ex.Message}");
                }));
            }
            await using (var majority = cluster.ClientOf("n2"))
            {
                var status = await majority.GetClusterStatusAsync();
                Assert.All(status.Partitions, p => Assert.Contains(p.Leader, rest));
            }

            await faults.HealAllAsync();
            await cluster.WaitServesAsync(isolated, Within);
        });
    }
}
