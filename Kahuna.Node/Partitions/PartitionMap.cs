using System.Collections.Immutable;
using Kahuna.Protocol.Routing;

namespace Kahuna.Node.Partitions;

/// <summary>One partition: the hash range it owns (inclusive bounds) and the nodes holding its replicas.</summary>
public sealed record PartitionDescriptor(int Id, ulong Start, ulong End, ImmutableArray<string> Replicas)
{
    /// <summary>The Raft group id (and replica actor name) of this partition.</summary>
    public string GroupId => GroupIdOf(Id);

    public static string GroupIdOf(int partitionId) => $"p{partitionId}";

    public bool Owns(ulong hash) => hash >= Start && hash <= End;
}

/// <summary>
/// The partition map as data: which hash range belongs to which partition and where its replicas live, stamped with a
/// generation that grows with every change. Immutable; a change produces a new map (dynamic placement and splits
/// build on this). The ranges tile the whole 64-bit ring without gaps or overlaps.
/// </summary>
public sealed class PartitionMap
{
    public PartitionMap(long generation, IEnumerable<PartitionDescriptor> partitions)
    {
        Generation = generation;
        Partitions = partitions.OrderBy(p => p.Start).ToImmutableArray();
        Validate();
        ById = Partitions.ToImmutableDictionary(p => p.Id);
    }

    public long Generation { get; }
    public ImmutableArray<PartitionDescriptor> Partitions { get; }
    public ImmutableDictionary<int, PartitionDescriptor> ById { get; }

    /// <summary>The partition owning a hash (binary search over range starts).</summary>
    public PartitionDescriptor ForHash(ulong hash)
    {
        int lo = 0, hi = Partitions.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (Partitions[mid].Start <= hash) lo = mid; else hi = mid - 1;
        }
        return Partitions[lo];
    }

    public PartitionDescriptor ForKey(string key) => ForHash(KeyHasher.Hash(key));

    /// <summary>Partitions with a replica on the given node.</summary>
    public IEnumerable<PartitionDescriptor> HostedBy(string nodeId) => Partitions.Where(p => p.Replicas.Contains(nodeId));

    /// <summary>
    /// The initial map of a new cluster: the ring split into <paramref name="partitions"/> equal ranges, each with
    /// min(replicationFactor, nodes) replicas placed round-robin so replicas and (initially) leaders spread evenly.
    /// Every node computes the same map from the same settings.
    /// </summary>
    public static PartitionMap CreateStatic(IReadOnlyList<string> nodes, int partitions, int replicationFactor)
    {
        if (nodes.Count == 0) throw new ArgumentException("at least one node is required");
        if (partitions < 1) throw new ArgumentException("at least one partition is required");
        var sorted = nodes.Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();
        var rf = Math.Min(replicationFactor, sorted.Count);
        var list = new List<PartitionDescriptor>(partitions);
        for (var i = 0; i < partitions; i++)
        {
            var start = RingPoint(i, partitions);
            var end = i == partitions - 1 ? ulong.MaxValue : RingPoint(i + 1, partitions) - 1;
            var replicas = Enumerable.Range(0, rf).Select(k => sorted[(i + k) % sorted.Count]).ToImmutableArray();
            list.Add(new PartitionDescriptor(i, start, end, replicas));
        }
        return new PartitionMap(1, list);
    }

    /// <summary>
    /// Where range <paramref name="i"/> of <paramref name="partitions"/> starts: i/partitions of the whole ring
    /// (2^64 hashes), rounded down, so 8 partitions start at multiples of 2^61 and print as 2000…0000..3fff…ffff.
    /// (Until 27 Nov the width was (2^64 - 1)/partitions, which moved every start down by its index: …fffe, …fffd.
    /// For 8 partitions that routes 28 of the 2^64 hashes differently.)
    /// </summary>
    private static ulong RingPoint(int i, int partitions) => (ulong)(((UInt128)1 << 64) * (ulong)i / (ulong)partitions);

    private void Validate()
    {
        if (Partitions.Length == 0) throw new ArgumentException("a partition map needs at least one partition");
        if (Partitions[0].Start != 0) throw new ArgumentException("the first partition must start at 0");
        if (Partitions[^1].End != ulong.MaxValue) throw new ArgumentException("the last partition must end at the top of the ring");
        for (var i = 1; i < Partitions.Length; i++)
            if (Partitions[i].Start != Partitions[i - 1].End + 1)
                throw new ArgumentException($"partitions {Partitions[i - 1].Id} and {Partitions[i].Id} leave a gap or overlap");
        if (Partitions.Select(p => p.Id).Distinct().Count() != Partitions.Length)
            throw new ArgumentException("partition ids must be unique");
    }
}
