using Kahuna.Node.Partitions;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>The initial map of a new cluster: the ring split into equal ranges that cover it once, replicas round-robin.</summary>
public sealed class StaticPartitionMapTests
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];

    [Fact]
    public void EightPartitions_StartAtMultiplesOfTwoToThe61()
    {
        var map = PartitionMap.CreateStatic(Nodes, 8, replicationFactor: 3);
        for (var i = 0; i < 8; i++)
        {
            Assert.Equal((ulong)i << 61, map.Partitions[i].Start);
            Assert.Equal(i == 7 ? ulong.MaxValue : ((ulong)(i + 1) << 61) - 1, map.Partitions[i].End);
        }
        Assert.Equal("1fffffffffffffff", map.Partitions[0].End.ToString("x16"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(1000)]
    public void TheRangesCoverTheRingOnce_AndDifferInWidthByAtMostOne(int partitions)
    {
        var map = PartitionMap.CreateStatic(Nodes, partitions, replicationFactor: 3);
        Assert.Equal(partitions, map.Partitions.Length);
        Assert.Equal(0UL, map.Partitions[0].Start);
        Assert.Equal(ulong.MaxValue, map.Partitions[^1].End);
        for (var i = 1; i < partitions; i++) Assert.Equal(map.Partitions[i - 1].End + 1, map.Partitions[i].Start);
        // Width - 1 (End - Start) stays within ulong even for a single partition covering the whole ring.
        var widths = map.Partitions.Select(p => p.End - p.Start).ToList();
        Assert.True(widths.Max() - widths.Min() <= 1, $"widths from {widths.Min()} to {widths.Max()}");
        foreach (var p in map.Partitions)
        {
            Assert.Same(p, map.ForHash(p.Start));
            Assert.Same(p, map.ForHash(p.End));
        }
    }

    [Fact]
    public void Replicas_ArePlacedRoundRobin_OverTheSortedNodes()
    {
        var map = PartitionMap.CreateStatic(["n3", "n1", "n2"], 4, replicationFactor: 2);
        Assert.Equal(["n1", "n2"], map.Partitions[0].Replicas.ToArray());
        Assert.Equal(["n2", "n3"], map.Partitions[1].Replicas.ToArray());
        Assert.Equal(["n3", "n1"], map.Partitions[2].Replicas.ToArray());
        Assert.Equal(["n1", "n2"], map.Partitions[3].Replicas.ToArray());
    }
}
