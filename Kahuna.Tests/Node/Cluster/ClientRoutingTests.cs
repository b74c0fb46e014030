using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// A client that knows only one node learns where each partition's leader serves and sends requests there,
/// so nodes stop forwarding; with routing off, the same node forwards most requests.
/// </summary>
[Collection("cluster")]
public sealed class ClientRoutingTests
{
    private static readonly string[] Keys = Enumerable.Range(0, 40).Select(i => $"route/{i}").ToArray();

    [Fact]
    public async Task ClientWithOneEndpoint_LearnsLeaders_AndNodesStopForwarding()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 6);
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{cluster.Nodes[0].ClientEndPoint.Port}"],
            RequestTimeout = TimeSpan.FromSeconds(20),
            RouteRefreshInterval = TimeSpan.FromMilliseconds(200),
        });

        // Leaders may still be settling: keep writing batches until one goes through without any forwarding.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        var forwardedInLastBatch = long.MaxValue;
        while (forwardedInLastBatch > 0 && DateTime.UtcNow < deadline)
        {
            var before = cluster.Nodes.Sum(n => n.Router.Forwarded);
            foreach (var key in Keys) Assert.True((await client.SetAsync(key, "v")).Succeeded);
            forwardedInLastBatch = cluster.Nodes.Sum(n => n.Router.Forwarded) - before;
        }
        Assert.Equal(0, forwardedInLastBatch);

        // Every node leads some partition, so a client routing by leader reached nodes it was never told about.
        var status = await client.GetClusterStatusAsync();
        Assert.All(status.Members, m => Assert.False(string.IsNullOrEmpty(m.ClientEndpoint)));
    }

    [Fact]
    public async Task WithRoutingOff_TheNodeItTalksToForwards()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 6);
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{cluster.Nodes[0].ClientEndPoint.Port}"],
            RequestTimeout = TimeSpan.FromSeconds(20),
           
        });
        foreach (var key in Keys) Assert.True((await client.SetAsync(key, "v")).Succeeded);
        var status = await client.GetClusterStatusAsync();
        var ledElsewhere = status.Partitions.Count(p => p.Leader != "n1");
        Assert.True(ledElsewhere == 0 || cluster.Nodes[0].Router.Forwarded > 0,
            "partitions led by other nodes must have been reached through forwarding");
    }
}
