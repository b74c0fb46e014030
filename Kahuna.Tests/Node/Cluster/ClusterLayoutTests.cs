using Kahuna.Node.Cluster;
using Kahuna.Node.Hosting;
using Kahuna.Node.Storage;
using Kahuna.Tests.Support;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// The partition layout is fixed when a node's data is created: recorded in the data directory, taken from there on
/// a restart without flags, and a restart whose flags contradict it is refused rather than routing keys elsewhere.
/// </summary>
public sealed class ClusterLayoutTests : IDisposable
{
    private readonly TempDirectory _temp = new("kahuna-layout");

    public void Dispose() => _temp.Dispose();

    private NodeOptions Options(string nodeId = "n1", int? partitions = null, int? replicationFactor = null, params string[] clusterNodes) =>
        new() { NodeId = nodeId, DataDirectory = _temp.Path, Partitions = partitions, ReplicationFactor = replicationFactor, ClusterNodes = clusterNodes };

    [Fact]
    public void NewData_WithoutFlags_HasOnePartitionPerNode_AndTheDefaultReplicationFactor()
    {
        var layout = ClusterLayout.Establish(Options("n2", clusterNodes: ["n3", "n1", "n2"]));

        Assert.Equal(3, layout.Partitions);
        Assert.Equal(3, layout.ReplicationFactor);
        Assert.Equal(["n1", "n2", "n3"], layout.Nodes);
        Assert.True(File.Exists(Path.Combine(_temp.Path, ClusterLayout.FileName)));
        Assert.Equal(1, ClusterLayout.Establish(new NodeOptions { NodeId = "solo", DataDirectory = _temp.Sub("solo") }).Partitions);
    }

    [Fact]
    public void NewData_TakesTheFlags()
    {
        var layout = ClusterLayout.Establish(Options(partitions: 16, replicationFactor: 1, clusterNodes: ["n1", "n2"]));

        Assert.Equal(new ClusterLayout(16, 1, ["n1", "n2"]).Fingerprint, layout.Fingerprint);
        Assert.Equal("16x1:n1,n2", layout.Fingerprint);
    }

    [Fact]
    public void AFingerprint_NamesItsLayout_AndOtherTextNone()
    {
        var layout = ClusterLayout.FromFingerprint("5x2:n1,n2,n3");

        Assert.Equal("5 partitions, replication factor 2, nodes n1,n2,n3", layout?.Describe());
        Assert.Equal("5x2:n1,n2,n3", layout?.Fingerprint);
        Assert.Null(ClusterLayout.FromFingerprint("x2:n1"));
        Assert.Null(ClusterLayout.FromFingerprint("5x:n1"));
        Assert.Null(ClusterLayout.FromFingerprint("garbage"));
    }

    [Fact]
    public void ARestartWithoutFlags_TakesTheRecordedLayout_NodesIncluded()
    {
        ClusterLayout.Establish(Options(partitions: 5, replicationFactor: 2, clusterNodes: ["n1", "n2", "n3"]));

        var again = ClusterLayout.Establish(Options());

        Assert.Equal("5x2:n1,n2,n3", again.Fingerprint);
    }

    [Fact]
    public void ARestartWithTheRecordedValues_InAnotherOrder_IsAccepted()
    {
        ClusterLayout.Establish(Options(partitions: 5, clusterNodes: ["n1", "n2", "n3"]));

        var again = ClusterLayout.Establish(Options(partitions: 5, replicationFactor: 3, clusterNodes: ["n3", "n2", "n1"]));

        Assert.Equal("5x3:n1,n2,n3", again.Fingerprint);
    }

    [Fact]
    public void ARestartWithContradictingFlags_IsRefused_NamingEachFlagAndItsRecordedValue()
    {
        ClusterLayout.Establish(Options(clusterNodes: ["n1", "n2", "n3"]));

        var error = Assert.Throws<ArgumentException>(() =>
            ClusterLayout.Establish(Options(partitions: 8, replicationFactor: 1, clusterNodes: ["n1", "n2"])));

        Assert.Contains("--partitions 8 (recorded: 3)", error.Message);
        Assert.Contains("--replication-factor 1 (recorded: 3)", error.Message);
        Assert.Contains("--cluster-nodes n1,n2 (recorded: n1,n2,n3)", error.Message);
        Assert.Contains("new, empty data directory", error.Message);
        // The refused start changed nothing on disk.
        Assert.Equal("3x3:n1,n2,n3", ClusterLayout.Establish(Options()).Fingerprint);
    }

    [Fact]
    public void ANodeIdOutsideTheRecordedNodes_IsRefused()
    {
        ClusterLayout.Establish(Options(clusterNodes: ["n1", "n2", "n3"]));

        var error = Assert.Throws<ArgumentException>(() => ClusterLayout.Establish(Options("n9")));

        Assert.Contains("--node-id n9", error.Message);
    }

    [Fact]
    public void DataFromBeforeTheLayoutWasRecorded_KeepsTheOldDefaultOfEightPartitions()
    {
        File.WriteAllBytes(Path.Combine(_temp.Path, SqlitePersistence.JournalFile), []);

        var layout = ClusterLayout.Establish(Options(clusterNodes: ["n1", "n2", "n3"]));

        Assert.Equal(ClusterLayout.LegacyDefaultPartitions, layout.Partitions);
        Assert.Equal(8, ClusterLayout.Establish(Options()).Partitions);
    }

    [Theory]
    [InlineData("partitions=3\nreplication-factor=3\n")]
    [InlineData("partitions=0\nreplication-factor=3\ncluster-nodes=n1\n")]
    [InlineData("partitions=3\nreplication-factor=3\ncluster-nodes=n1\nsurprise=1\n")]
    public void ADamagedLayoutFile_StopsTheStart_WithWhatItMustHold(string text)
    {
        File.WriteAllText(Path.Combine(_temp.Path, ClusterLayout.FileName), text);

        var error = Assert.Throws<InvalidDataException>(() => ClusterLayout.Establish(Options()));

        Assert.Contains("damaged", error.Message);
        Assert.Contains("partitions=", error.Message);
    }
}
