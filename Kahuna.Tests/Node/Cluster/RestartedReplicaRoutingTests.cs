using Akka.Actor;
using Kahuna.Node.Cli.Client;
using Kahuna.Protocol.Client;
using Kahuna.Raft.Actors;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// A replica actor that stops is started again by its node's Raft host: a new actor behind the same path. The node's
/// router must reach the new one, not keep a reference to the stopped one (which drops every request it is told).
/// </summary>
[Collection("cluster")]
public sealed class RestartedReplicaRoutingTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AfterItsLocalReplicaRestarts_ANodeStillServesThePartition_ItLeads()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2);
        var n1 = cluster.Nodes[0];
        var partition = n1.Map.ById[0];
        var key = Enumerable.Range(0, 1000).Select(i => $"restart/{i}").First(k => n1.Map.ForKey(k).Id == partition.Id);
        await using var admin = cluster.Client();
        await using var viaN1 = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{n1.ClientEndPoint.Port}"],
            RouteToLeaders = false,
            RequestTimeout = TimeSpan.FromSeconds(20),
        });

        // n1 leads, and its router has used (and cached) its local replica.
        await MoveLeaderAsync(admin, partition.Id, "n1");
        Assert.True((await viaN1.SetAsync(key, "before")).Succeeded);

        // The replica actor stops; the host starts it again from disk (after a second), as after a failure. Wait
        // until the new actor serves in a later term than the stopped one, then make it lead again.
        await using var statusOfN1 = cluster.Client($"127.0.0.1:{n1.ClientEndPoint.Port}");
        var termBefore = (await PartitionSeenByAsync(statusOfN1, partition.Id)).Term;
        var path = $"/user/{RaftHostProtocol.Name}/{partition.GroupId}";
        n1.System.ActorSelection(path).Tell(PoisonPill.Instance);
        var deadline = DateTime.UtcNow + Bound;
        // A request routed while the replica is away finds no actor at its path (and must not be stuck with that).
        var provider = ((ExtendedActorSystem)n1.System).Provider;
        while (provider.ResolveActorRef(new RootActorPath(provider.DefaultAddress) / "user" / RaftHostProtocol.Name / partition.GroupId)
               is not EmptyLocalActorRef)
        {
            Assert.True(DateTime.UtcNow < deadline, $"n1's replica of partition {partition.Id} did not stop within {Bound}");
            await Task.Delay(10);
        }
        var duringRestart = viaN1.SetAsync(key, "during");
        while (await PartitionSeenByAsync(statusOfN1, partition.Id) is var seen && !(seen.Term > termBefore && seen.Leader is not null))
        {
            Assert.True(DateTime.UtcNow < deadline, $"n1's replica of partition {partition.Id} did not come back within {Bound}");
            await Task.Delay(50);
        }
        await MoveLeaderAsync(admin, partition.Id, "n1");

        try
        {
            await duringRestart;
        }
        catch (KahunaException)
        {
            // It may time out while leadership settles; what this test checks is the requests after it.
        }
        Assert.True((await viaN1.SetAsync(key, "after")).Succeeded);
        Assert.Equal("after", (await viaN1.GetAsync(key)).ValueAsString());
    }

    private static async Task<Kahuna.Protocol.Messages.PartitionInfo> PartitionSeenByAsync(KahunaClient client, int partitionId) =>
        (await client.GetClusterStatusAsync()).Partitions.Single(p => p.Id == partitionId);

    private static async Task MoveLeaderAsync(KahunaClient admin, int partitionId, string target)
    {
        var leader = await new LeaderTransferWait(
            async ct => (await admin.GetClusterStatusAsync(ct)).Partitions.Single(p => p.Id == partitionId).Leader,
            ct => admin.TransferLeaderAsync(partitionId, target, ct),
            TimeSpan.FromMilliseconds(50), LeaderTransferWait.DefaultAskAgainEvery).RunAsync(target, Bound, CancellationToken.None);
        Assert.Equal(target, leader);
    }
}
