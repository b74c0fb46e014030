using Kahuna.Node.Hosting;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Support;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// A node restarted from its data keeps the partition map its keys were written under: without flags it takes the
/// recorded layout and finds its keys again; with a contradicting --partitions it refuses to start, before it opens a
/// port or touches the journal.
/// </summary>
[Collection("cluster")]
public sealed class LayoutRestartTests
{
    private static NodeOptions Options(string data, int? partitions) => new()
    {
        NodeId = "n1", ClientPort = 0, ClusterPort = 0, DataDirectory = data, Partitions = partitions, Insecure = true,
        ConfigOverrides = "kahuna.raft.tick-interval = 50ms",
    };

    [Fact]
    public async Task ARestartedNode_KeepsItsRecordedPartitions_AndRefusesAnotherCount()
    {
        using var temp = new TempDirectory("kahuna-layout-restart");
        var data = temp.Sub("n1");
        var keys = Enumerable.Range(0, 40).Select(i => $"layout/{i}").ToList();
        await using (var first = await KahunaNode.StartAsync(Options(data, partitions: 5)))
        {
            Assert.Equal(5, first.Map.Partitions.Length);
            await using var client = new KahunaClient($"127.0.0.1:{first.ClientEndPoint.Port}");
            foreach (var key in keys) Assert.True((await client.SetAsync(key, key)).Succeeded);
        }

        var refused = await Assert.ThrowsAsync<ArgumentException>(() => KahunaNode.StartAsync(Options(data, partitions: 1)));
        Assert.Contains("--partitions 1 (recorded: 5)", refused.Message);

        await using var again = await KahunaNode.StartAsync(Options(data, partitions: null));
        Assert.Equal(5, again.Map.Partitions.Length);
        Assert.Equal(5, again.Options.Partitions);
        await using var reader = new KahunaClient($"127.0.0.1:{again.ClientEndPoint.Port}");
        foreach (var key in keys) Assert.Equal(key, (await reader.GetAsync(key)).ValueAsString());
    }

    [Fact]
    public async Task ANodeJoiningWithAnotherLayout_StopsItself_AndTheOlderOneKeepsRunning()
    {
        using var temp = new TempDirectory("kahuna-layout-join");
        NodeOptions Node(string id, int partitions, string? seed) => Options(temp.Sub(id), partitions) with
        {
            NodeId = id, ClusterNodes = ["n1", "n2"], Seeds = seed is null ? [] : [seed],
        };
        await using var n1 = await KahunaNode.StartAsync(Node("n1", 2, seed: null));
        await using var n2 = await KahunaNode.StartAsync(Node("n2", 3, seed: $"127.0.0.1:{n1.ClusterAddress.Port}"));

        var stopped = await Assert.ThrowsAsync<InvalidOperationException>(() => n2.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("node n1", stopped.Message);
        Assert.Contains("(2 partitions, replication factor 3, nodes n1,n2)", stopped.Message);
        Assert.Contains("this node (3 partitions", stopped.Message);
        Assert.False(n1.WhenTerminated.IsCompleted, "the older member keeps running");
    }
}
