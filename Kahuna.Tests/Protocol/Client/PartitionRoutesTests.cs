using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;
using Xunit;

namespace Kahuna.Tests.Protocol.Client;

public sealed class PartitionRoutesTests
{
    private static ClusterStatusResponse Status(params (ulong Start, ulong End, string? Leader)[] partitions) => new()
    {
        Members =
        [
            new ClusterMemberInfo { NodeId = "a", ClientEndpoint = "127.0.0.1:7001" },
            new ClusterMemberInfo { NodeId = "b", ClientEndpoint = "127.0.0.1:7002" },
            new ClusterMemberInfo { NodeId = "c", ClientEndpoint = "not an endpoint" },
            new ClusterMemberInfo { NodeId = "d" },
        ],
        Partitions = partitions.Select((p, i) => new PartitionInfo
        {
            Id = i, RangeStart = p.Start.ToString("x16"), RangeEnd = p.End.ToString("x16"), Leader = p.Leader,
        }).ToArray(),
    };

    private static string KeyWithHash(Func<ulong, bool> wanted)
    {
        for (var i = 0; ; i++)
            if (wanted(KeyHasher.Hash($"k{i}"))) return $"k{i}";
    }

    [Fact]
    public void EndpointFor_FindsTheLeaderOfTheKeysRange()
    {
        const ulong half = ulong.MaxValue / 2;
        var routes = new PartitionRoutes();
        Assert.True(routes.IsEmpty);
        // Given out of order: the routes sort them.
        routes.Update(Status((half + 1, ulong.MaxValue, "b"), (0, half, "a")));

        Assert.Equal(EndpointAddress.Parse("127.0.0.1:7001"), routes.EndpointFor(KeyWithHash(h => h <= half)));
        Assert.Equal(EndpointAddress.Parse("127.0.0.1:7002"), routes.EndpointFor(KeyWithHash(h => h > half)));
    }

    [Fact]
    public void UnknownLeaders_BadEndpointsAndGaps_GiveNoRoute()
    {
        const ulong third = ulong.MaxValue / 3;
        var routes = new PartitionRoutes();
        routes.Update(Status((0, third, null), (third + 1, 2 * third, "c"), (2 * third + 1, ulong.MaxValue - 1000, "d")));

        Assert.Null(routes.EndpointFor(KeyWithHash(h => h <= third)));
        Assert.Null(routes.EndpointFor(KeyWithHash(h => h > third && h <= 2 * third)));
        Assert.Null(routes.EndpointFor(KeyWithHash(h => h > 2 * third && h <= ulong.MaxValue - 1000)));
    }

    [Fact]
    public void Forget_DropsEveryRouteToThatEndpoint_UntilTheNextUpdate()
    {
        var routes = new PartitionRoutes();
        var status = Status((0, ulong.MaxValue / 2, "a"), (ulong.MaxValue / 2 + 1, ulong.MaxValue, "a"));
        routes.Update(status);
        var key = KeyWithHash(_ => true);
        Assert.NotNull(routes.EndpointFor(key));

        routes.Forget(EndpointAddress.Parse("127.0.0.1:7001"));
        Assert.Null(routes.EndpointFor(key));

        routes.Update(status);
        Assert.NotNull(routes.EndpointFor(key));
    }
}
