using Kahuna.Node.Cluster;
using Kahuna.Node.Hosting;
using Kahuna.Tests.Support;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// A cluster in the middle of a rolling upgrade: one node advertises an older version. Commands that version cannot
/// apply are refused with a clear status instead of being written into logs its replicas would stop at; everything
/// else works, and ephemeral multi-key writes (never in a log) too.
/// </summary>
[Collection("cluster")]
public sealed class MixedVersionTests
{
    [Fact]
    public async Task WhileANodeRunsAnOlderVersion_MultiKeyWritesAreRefusedUnsupported_AndEverythingElseWorks()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2,
            nodeOverrides: id => id == "n3" ? "akka.cluster.app-version = \"1.0.0\"" : "");
        await using var client = cluster.Client();
        await WaitForEveryMemberAsync(cluster);

        var setMany = await Assert.ThrowsAsync<KahunaException>(() =>
            client.SetManyAsync([KeyValuePair.Create("mixed/a", "1"), KeyValuePair.Create("mixed/b", "2")]));
        var deleteMany = await Assert.ThrowsAsync<KahunaException>(() => client.DeleteManyAsync(["mixed/a", "mixed/b"]));

        Assert.Equal(KahunaStatus.Unsupported, setMany.Status);
        Assert.Contains("node n3 runs Kahuna 1.0.0", setMany.Message); // what builds before the setting advertise
        Assert.Contains("SetManyKeyValues", setMany.Message);
        Assert.Equal(KahunaStatus.Unsupported, deleteMany.Status);
        Assert.Contains("DeleteManyKeyValues", deleteMany.Message);
        Assert.False((await client.GetAsync("mixed/a")).Found); // nothing was written

        var conditional = await Assert.ThrowsAsync<KahunaException>(() => client.CompareValueAndDeleteAsync("mixed/a", "1"));
        Assert.Equal(KahunaStatus.Unsupported, conditional.Status); // an older replica would delete unconditionally
        Assert.Contains("a conditional DeleteKeyValue", conditional.Message);

        Assert.True((await client.SetAsync("mixed/a", "1")).Succeeded);
        Assert.Equal("1", (await client.GetManyAsync(["mixed/a"])).Single().ValueAsString());
        var ephemeral = await client.SetManyAsync([KeyValuePair.Create("mixed/e", "x")], durability: Durability.Ephemeral);
        Assert.Single(ephemeral);
        Assert.True((await client.DeleteAsync("mixed/a")).Deleted); // unconditional deletes mean the same in every version

        // An operator sees which node is still to upgrade.
        var members = (await client.GetClusterStatusAsync()).Members.ToDictionary(m => m.NodeId, m => m.Version);
        Assert.Equal(new Dictionary<string, string?> { ["n1"] = KahunaVersion.Current, ["n2"] = KahunaVersion.Current, ["n3"] = "1.0.0" }, members);
    }

    [Fact]
    public void TheVersionEveryNodeAdvertises_IsThisBuilds()
    {
        using var temp = new TempDirectory("kahuna-version");
        var config = KahunaNode.BuildConfig(new NodeOptions { NodeId = "n1", DataDirectory = temp.Path });

        Assert.Equal(KahunaVersion.Current, config.GetString("akka.cluster.app-version"));
    }

    private static async Task WaitForEveryMemberAsync(InProcessKahunaCluster cluster)
    {
        // Every node's view: a leader refuses by what its own node knows of the others.
        var views = cluster.Nodes.Select(n => Akka.Cluster.Cluster.Get(n.System)).ToList();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (views.Any(v => v.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up) < cluster.Nodes.Count))
        {
            Assert.True(DateTime.UtcNow < deadline, "the three nodes did not all become members in 30 s");
            await Task.Delay(50);
        }
    }
}
