using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>Overload: beyond its capacity a node refuses new work at once instead of queueing without bound.</summary>
[Collection("cluster")]
public sealed class AdmissionTests
{
    [Fact]
    public async Task RequestsBeyondMaxInFlight_AreAnsweredOverloaded_AndTheRestSucceed()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(nodes: 1, partitions: 1, overrides: "kahuna.requests.max-in-flight = 8");
        var router = cluster.Nodes[0].Router;
        var context = new RequestContext(1, null, "test", null);
        var requests = Enumerable.Range(0, 400).Select(i => router.HandleAsync(
            new SetRequest { Key = $"k{i}", Value = [1, 2, 3], Durability = Durability.Persistent }, context, CancellationToken.None).AsTask());
        var responses = await Task.WhenAll(requests);
        var overloaded = responses.Count(r => r.Status == KahunaStatus.Overloaded);
        var ok = responses.Count(r => r.Status == KahunaStatus.Ok);
        Assert.True(overloaded > 0, "some requests must be refused when 400 arrive at once with room for 8");
        Assert.True(ok > 0, "admitted requests must still succeed");
        Assert.Equal(400, overloaded + ok);
        Assert.Equal(0, router.InFlight);
    }
}
