using System.CommandLine;
using Kahuna.Node.Hosting;

namespace Kahuna.Node.Cli.Server;

/// <summary>
/// The flags of <c>kahuna start</c> and how they become <see cref="NodeOptions"/>: each setting comes from its
/// flag, else its KAHUNA_* environment variable, else its default. Settings not given anywhere keep the
/// defaults of <see cref="NodeOptions"/>; an extra HOCON file (--config) is handed to the host as is.
/// </summary>
internal sealed class NodeOptionsBinder
{
    public Option<string?> NodeId { get; } = Text("--node-id", "KAHUNA_NODE_ID", "This node's unique id in the cluster, e.g. n1 (required)", "id");
    public Option<string?> Host { get; } = Text("--host", "KAHUNA_HOST", "Address other nodes and clients use to reach this node (default 127.0.0.1)", "address");
    public Option<int?> Port { get; } = Number("--port", "KAHUNA_PORT", "Client protocol TCP port (default 7070)", "port");
    public Option<int?> ClusterPort { get; } = Number("--cluster-port", "KAHUNA_CLUSTER_PORT", "Port of the links between nodes (default 7170)", "port");
    public Option<string?> Data { get; } = Text("--data", "KAHUNA_DATA", "Data directory (default ./data/<node-id>)", "dir");
    public Option<string?> Seeds { get; } = Text("--seeds", "KAHUNA_SEEDS", "Cluster ports of existing nodes to join, host:port,... (default: start a new cluster)", "host:port,...");
    public Option<string?> ClusterNodes { get; } = Text("--cluster-nodes", "KAHUNA_CLUSTER_NODES", "Node ids the partitions are placed on, n1,n2,n3; the same on every node (default: the recorded ones, or this node for new data)", "id,...");
    public Option<int?> Partitions { get; } = Number("--partitions", "KAHUNA_PARTITIONS", "Partitions the key space is split into when the cluster is created (default one per node of --cluster-nodes; later starts take the number recorded in --data)", "n");
    public Option<int?> ReplicationFactor { get; } = Number("--replication-factor", "KAHUNA_REPLICATION_FACTOR", "Replicas per partition when the cluster is created (default 3, capped by the number of nodes; later starts take the recorded value)", "n");
    public Option<string?> Config { get; } = Text("--config", "KAHUNA_CONFIG", "An extra HOCON file whose settings override the defaults", "file");

    public Option<bool> Insecure { get; } = new("--insecure")
    {
        Description = "Accept clients without a token (authentication off). Local development only [env KAHUNA_INSECURE=1]",
    };

    public IEnumerable<Option> All => [NodeId, Host, Port, ClusterPort, Data, Seeds, ClusterNodes, Partitions, ReplicationFactor, Config, Insecure];

    /// <summary>The options; throws <see cref="CliUsageException"/> for a malformed value. Does not validate ranges (NodeOptions.Validate does).</summary>
    public NodeOptions Bind(ParseResult parseResult, CliContext context)
    {
        var source = new SettingSource(parseResult, context);
        var defaults = new NodeOptions { NodeId = "", DataDirectory = "" };
        var nodeId = source.Text(NodeId, "KAHUNA_NODE_ID") ?? "";
        var data = source.Text(Data, "KAHUNA_DATA") ?? (nodeId.Length > 0 ? Path.Combine("data", nodeId) : "");
        return new NodeOptions
        {
            NodeId = nodeId,
            Host = source.Text(Host, "KAHUNA_HOST") ?? defaults.Host,
            ClientPort = source.Number(Port, "KAHUNA_PORT") ?? defaults.ClientPort,
            ClusterPort = source.Number(ClusterPort, "KAHUNA_CLUSTER_PORT") ?? defaults.ClusterPort,
            DataDirectory = data.Length > 0 ? Path.GetFullPath(data) : "",
            Seeds = SeedList(source.Text(Seeds, "KAHUNA_SEEDS")),
            ClusterNodes = List(source.Text(ClusterNodes, "KAHUNA_CLUSTER_NODES")),
            Partitions = source.Number(Partitions, "KAHUNA_PARTITIONS"),
            ReplicationFactor = source.Number(ReplicationFactor, "KAHUNA_REPLICATION_FACTOR"),
            ConfigFile = source.Text(Config, "KAHUNA_CONFIG") is { } file ? Path.GetFullPath(file) : null,
            Insecure = parseResult.GetValue(Insecure) || context.Variable("KAHUNA_INSECURE") is "1" or "true",
            Environment = context.Variable,
        };
    }

    private static IReadOnlyList<string> List(string? text) =>
        text is null ? [] : text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    private static IReadOnlyList<string> SeedList(string? text)
    {
        var seeds = List(text);
        foreach (var seed in seeds)
        {
            int colon = seed.LastIndexOf(':');
            if (colon <= 0 || !int.TryParse(seed.AsSpan(colon + 1), out var port) || port is < 1 or > 65535)
                throw new CliUsageException($"--seeds: '{seed}' is not host:port");
        }
        return seeds;
    }

    private static Option<string?> Text(string name, string variable, string description, string helpName) =>
        new(name) { Description = $"{description} [env {variable}]", HelpName = helpName };

    private static Option<int?> Number(string name, string variable, string description, string helpName) =>
        new(name) { Description = $"{description} [env {variable}]", HelpName = helpName };

    /// <summary>Flag if given, else environment variable, else null (the caller's default).</summary>
    private sealed class SettingSource(ParseResult parseResult, CliContext context)
    {
        public string? Text(Option<string?> option, string variable) =>
            parseResult.GetResult(option) is { Implicit: false } ? parseResult.GetValue(option) : context.Variable(variable);

        public int? Number(Option<int?> option, string variable)
        {
            if (parseResult.GetResult(option) is { Implicit: false })
                return parseResult.GetValue(option);
            if (context.Variable(variable) is not { } text)
                return null;
            return int.TryParse(text, out var value) ? value : throw new CliUsageException($"{variable}: '{text}' is not a whole number");
        }
    }
}
