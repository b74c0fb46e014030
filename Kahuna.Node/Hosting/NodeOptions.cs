namespace Kahuna.Node.Hosting;

/// <summary>
/// Everything needed to start one Kahuna node. The CLI fills it from flags, environment variables (KAHUNA_*) and
/// HOCON (hocon/kahuna.conf documents every setting); tests and `kahuna dev` build it directly.
/// </summary>
public sealed record NodeOptions
{
    /// <summary>Unique id of this node in the cluster (e.g. n1). Replicas are named after it.</summary>
    public required string NodeId { get; init; }

    /// <summary>Address other nodes and clients use to reach this node.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port of the client protocol (0 = any free port, reported by <see cref="KahunaNode.ClientEndPoint"/>).</summary>
    public int ClientPort { get; init; } = 7070;

    /// <summary>TCP port of Akka remoting between nodes (0 = any free port; then this node cannot be a seed for others).</summary>
    public int ClusterPort { get; init; } = 7170;

    /// <summary>Directory of this node's SQLite files (journal and snapshots).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Akka cluster seed nodes as host:port of their cluster ports; empty = this node starts a new cluster.</summary>
    public IReadOnlyList<string> Seeds { get; init; } = [];

    /// <summary>
    /// The Kahuna node ids the static placement spreads partitions over (every node must be given the same list).
    /// Empty = the nodes recorded in the data directory's layout, or just this node for new data. Dynamic placement
    /// (join/leave) replaces this later.
    /// </summary>
    public IReadOnlyList<string> ClusterNodes { get; init; } = [];

    /// <summary>
    /// Number of hash-range partitions the key space is split into at cluster creation. Null = the number recorded in
    /// the data directory (<see cref="Cluster.ClusterLayout"/>), or one per cluster node for new data.
    /// </summary>
    public int? Partitions { get; init; }

    /// <summary>Replicas per partition (capped by the number of nodes). Null = the recorded value, or 3 for new data.</summary>
    public int? ReplicationFactor { get; init; }

    /// <summary>Accept clients without a credential (kahuna.security.authentication = off). Local development and tests only.</summary>
    public bool Insecure { get; init; }

    /// <summary>Where environment variables come from (KAHUNA_TOKENS, KAHUNA_TLS_*); the process environment by default.</summary>
    public Func<string, string?> Environment { get; init; } = System.Environment.GetEnvironmentVariable;

    /// <summary>An extra HOCON file whose settings override the defaults (flags still override it).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Extra HOCON text applied last (tests and tools).</summary>
    public string? ConfigOverrides { get; init; }

    public IReadOnlyList<string> EffectiveClusterNodes => ClusterNodes.Count > 0 ? ClusterNodes : [NodeId];

    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeId)) throw new ArgumentException("a node id is required (--node-id or KAHUNA_NODE_ID)");
        if (NodeId.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '-' or '_')))
            throw new ArgumentException($"node id '{NodeId}' may contain only letters, digits, '-' and '_'");
        if (ClientPort is < 0 or > 65535) throw new ArgumentException($"client port {ClientPort} is out of range");
        if (ClusterPort is < 0 or > 65535) throw new ArgumentException($"cluster port {ClusterPort} is out of range");
        if (Partitions is < 1 or > 4096) throw new ArgumentException($"partitions must be between 1 and 4096, not {Partitions}");
        if (ReplicationFactor is < 1 or > 7) throw new ArgumentException($"replication factor must be between 1 and 7, not {ReplicationFactor}");
        if (!EffectiveClusterNodes.Contains(NodeId)) throw new ArgumentException($"cluster nodes [{string.Join(",", ClusterNodes)}] do not include this node '{NodeId}'");
        if (string.IsNullOrWhiteSpace(DataDirectory)) throw new ArgumentException("a data directory is required (--data)");
    }
}
