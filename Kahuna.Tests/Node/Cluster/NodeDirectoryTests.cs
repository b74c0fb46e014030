using Akka.Actor;
using Kahuna.Node.Cluster;
using Kahuna.Tests.Support;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>Peers' addresses remembered across restarts, so a restarted node's replicas reach them before membership admits it.</summary>
public sealed class NodeDirectoryTests
{
    private static readonly Address Self = Address.Parse("akka.tcp://kahuna@127.0.0.1:7170");
    private static readonly Address N2 = Address.Parse("akka.tcp://kahuna@127.0.0.1:7171");
    private static readonly Address N3 = Address.Parse("akka.tcp://kahuna@127.0.0.1:7172");

    [Fact]
    public void RememberedPeers_AreResolved_BeforeMembershipSaysAnything()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "data", KnownPeersFile.FileName);
        new KnownPeersFile(path).Save([new("n2", N2), new("n3", N3), new("n1", Self)]);

        var directory = new NodeDirectory("n1", Self, knownPeersPath: path);
        Assert.Equal(N2, directory.Resolve("n2"));
        Assert.Equal(N3, directory.Resolve("n3"));
        Assert.Equal(Self, directory.Resolve("n1"));
        Assert.Null(directory.Resolve("n4"));
        Assert.Equal(3, directory.Snapshot().Count);
    }

    [Fact]
    public void DamagedOrMissingFile_CostsOnlyTheHeadStart()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, KnownPeersFile.FileName);
        Assert.Null(new NodeDirectory("n1", Self, knownPeersPath: path).Resolve("n2"));

        File.WriteAllLines(path, ["n2 not-an-address", "garbage", "", $"n3 {N3}"]);
        var directory = new NodeDirectory("n1", Self, knownPeersPath: path);
        Assert.Null(directory.Resolve("n2"));
        Assert.Equal(N3, directory.Resolve("n3"));
    }

    [Fact]
    public void WithoutAFile_NothingIsRemembered()
    {
        var directory = new NodeDirectory("n1", Self);
        Assert.Null(directory.Resolve("n2"));
        Assert.Single(directory.Snapshot());
    }
}

/// <summary>A running node writes the peers it met into its data directory.</summary>
[Collection("cluster")]
public sealed class KnownPeersWrittenTests
{
    [Fact]
    public async Task EveryNode_RemembersTheOthers()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 1);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string[] Peers(Kahuna.Node.Hosting.KahunaNode node)
        {
            var path = Path.Combine(node.Options.DataDirectory, KnownPeersFile.FileName);
            return File.Exists(path) ? new KnownPeersFile(path).Load().Select(p => p.Id).Order().ToArray() : [];
        }
        while (DateTime.UtcNow < deadline && !cluster.Nodes.All(n => Peers(n).Length == 2))
            await Task.Delay(50);
        Assert.Equal(["n2", "n3"], Peers(cluster.Nodes[0]));
        Assert.Equal(["n1", "n3"], Peers(cluster.Nodes[1]));
        Assert.Equal(["n1", "n2"], Peers(cluster.Nodes[2]));
    }
}
