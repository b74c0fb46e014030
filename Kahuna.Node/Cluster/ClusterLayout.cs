using System.Runtime.InteropServices;
using Kahuna.Node.Hosting;
using Kahuna.Node.Storage;

namespace Kahuna.Node.Cluster;

/// <summary>
/// What the static partition map is computed from: the number of partitions, the replication factor and the Kahuna
/// node ids. It is fixed when a node's data is created and kept in its data directory: a key's partition depends on
/// it, so a restart with another layout would look for keys in the wrong partition, and nodes with different layouts
/// would each route the same key to a different partition. A restart without the flags takes the recorded layout; a
/// restart with flags that contradict it is refused with the values to use. (Splits and replica moves will change the
/// map through the meta partition, never through these flags.)
/// </summary>
public sealed record ClusterLayout(int Partitions, int ReplicationFactor, IReadOnlyList<string> Nodes)
{
    public const string FileName = "cluster-layout.txt";

    /// <summary>Replicas per partition when nothing says otherwise (capped by the number of nodes).</summary>
    public const int DefaultReplicationFactor = 3;

    /// <summary>
    /// Partitions of data created before the layout was recorded: those builds split the key space into 8 unless
    /// --partitions said otherwise, so a node upgraded in place keeps its map.
    /// </summary>
    public const int LegacyDefaultPartitions = 8;

    /// <summary>
    /// The partitions of a new cluster when --partitions is not given: one per Kahuna node, so that each node leads
    /// one. With a static map the partitions cannot outnumber the nodes usefully: eight over three nodes lead 3/3/2
    /// and pay for eight Raft groups' rounds (BENCHMARKS.md, "Partitions"); load-based splits will add partitions
    /// where they pay.
    /// </summary>
    public static int DefaultPartitionsFor(int nodes) => Math.Max(1, nodes);

    /// <summary>A stable text of the layout, announced to the other nodes so that a node with another one is seen.</summary>
    public string Fingerprint => $"{Partitions}x{ReplicationFactor}:{string.Join(',', SortedNodes)}";

    private IReadOnlyList<string> SortedNodes => Sorted(Nodes);

    /// <summary>The layout a <see cref="Fingerprint"/> names; null for text that is not one.</summary>
    public static ClusterLayout? FromFingerprint(string fingerprint)
    {
        var colon = fingerprint.IndexOf(':');
        var x = fingerprint.IndexOf('x');
        if (x < 1 || colon < x + 2) return null;
        return int.TryParse(fingerprint.AsSpan(0, x), out var partitions) && int.TryParse(fingerprint.AsSpan(x + 1, colon - x - 1), out var rf)
            ? new ClusterLayout(partitions, rf, SplitNodes(fingerprint[(colon + 1)..]))
            : null;
    }

    /// <summary>"3 partitions, replication factor 3, nodes n1,n2,n3".</summary>
    public string Describe() =>
        $"{Partitions} partition{(Partitions == 1 ? "" : "s")}, replication factor {ReplicationFactor}, nodes {string.Join(',', SortedNodes)}";

    private static IReadOnlyList<string> Sorted(IEnumerable<string> nodes) => nodes.Distinct().Order(StringComparer.Ordinal).ToList();

    private static List<string> SplitNodes(string text) =>
        text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>
    /// The layout this node runs with: the recorded one (checked against whatever the options state explicitly), or,
    /// for data that has none yet, the options' values with the defaults, recorded durably before any data is written.
    /// Throws <see cref="ArgumentException"/> (a usage error) when the options contradict the recorded layout.
    /// </summary>
    public static ClusterLayout Establish(NodeOptions options)
    {
        var path = Path.Combine(options.DataDirectory, FileName);
        var recorded = Load(path);
        if (recorded is not null)
        {
            recorded.CheckAgainst(options);
            return recorded;
        }
        var legacyData = File.Exists(Path.Combine(options.DataDirectory, SqlitePersistence.JournalFile));
        var nodes = options.EffectiveClusterNodes;
        var layout = new ClusterLayout(
            options.Partitions ?? (legacyData ? LegacyDefaultPartitions : DefaultPartitionsFor(nodes.Count)),
            options.ReplicationFactor ?? DefaultReplicationFactor,
            Sorted(nodes));
        layout.Save(path);
        return layout;
    }

    private void CheckAgainst(NodeOptions options)
    {
        var flags = new List<string>();
        if (options.Partitions is { } p && p != Partitions) flags.Add($"--partitions {p} (recorded: {Partitions})");
        if (options.ReplicationFactor is { } rf && rf != ReplicationFactor) flags.Add($"--replication-factor {rf} (recorded: {ReplicationFactor})");
        if (options.ClusterNodes.Count > 0 && !Sorted(options.ClusterNodes).SequenceEqual(SortedNodes))
            flags.Add($"--cluster-nodes {string.Join(',', options.ClusterNodes)} (recorded: {string.Join(',', SortedNodes)})");
        if (!Nodes.Contains(options.NodeId))
            flags.Add($"--node-id {options.NodeId} (recorded nodes: {string.Join(',', SortedNodes)})");
        if (flags.Count > 0)
            throw new ArgumentException(
                $"the data in {options.DataDirectory} belongs to a cluster laid out as {Describe()}, but this start asks for " +
                $"{string.Join(", ", flags)}. A cluster's partitions are fixed when it is created: start the node without " +
                "these flags (or with the recorded values), or give it a new, empty data directory.");
    }

    private static ClusterLayout? Load(string path)
    {
        if (!File.Exists(path)) return null;
        int? partitions = null, replicationFactor = null;
        List<string>? nodes = null;
        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#')) continue;
            var eq = line.IndexOf('=');
            var (key, value) = eq > 0 ? (line[..eq].Trim(), line[(eq + 1)..].Trim()) : (line, "");
            switch (key)
            {
                case "partitions" when int.TryParse(value, out var n) && n is >= 1 and <= 4096: partitions = n; break;
                case "replication-factor" when int.TryParse(value, out var n) && n is >= 1 and <= 7: replicationFactor = n; break;
                case "cluster-nodes" when value.Length > 0: nodes = SplitNodes(value); break;
                default: throw Damaged(path, $"unexpected line '{line}'");
            }
        }
        if (partitions is null || replicationFactor is null || nodes is null) throw Damaged(path, "a setting is missing");
        return new ClusterLayout(partitions.Value, replicationFactor.Value, nodes);
    }

    private static InvalidDataException Damaged(string path, string why) =>
        new($"{path} is damaged ({why}); it records the cluster's partition layout and must hold 'partitions=', " +
            "'replication-factor=' and 'cluster-nodes=' lines with the values the cluster was created with");

    /// <summary>Written to a temporary file, synced, renamed over the final name, and the directory synced.</summary>
    private void Save(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(directory);
        var text = "# The partition layout of this node's cluster, fixed when its data was created. Do not edit:\n" +
                   "# a key's partition depends on it (see README, \"Partitions\").\n" +
                   $"partitions={Partitions}\nreplication-factor={ReplicationFactor}\ncluster-nodes={string.Join(',', SortedNodes)}\n";
        var temp = path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(System.Text.Encoding.UTF8.GetBytes(text));
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, path, overwrite: true);
        SyncDirectory(directory);
    }

    private static void SyncDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = open(directory, 0 /* O_RDONLY */);
        if (fd < 0) return; // best effort: the file itself is synced
        try { fsync(fd); }
        finally { close(fd); }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int fsync(int fd);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
