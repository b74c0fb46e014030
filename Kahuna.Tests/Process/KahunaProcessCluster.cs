using System.Diagnostics;
using System.Net;
using Kahuna.Node.Partitions;
using Kahuna.Protocol.Client;
using Kahuna.Tests.ProcessLevel.Support;
using Xunit.Abstractions;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>How the nodes find the cluster when they start.</summary>
public enum SeedList
{
    /// <summary>Every node lists the cluster ports of all nodes, in the same order (a restarted node rejoins through any live one).</summary>
    EveryNode,

    /// <summary>Every node lists only n1's cluster port (the README's "Running a real cluster" example).</summary>
    FirstNodeOnly,
}

/// <summary>
/// Three real <c>kahuna start</c> processes (n1, n2, n3) on 127.0.0.1: free ports picked up front, a temp data
/// directory each, a small HOCON file with fast Raft ticks. Nodes can be killed with SIGKILL and started again with
/// the same data and ports. Dispose kills every process by PID and deletes the data, even after a failed test;
/// <see cref="ProcessReaper"/> covers an aborted test run.
/// </summary>
public sealed partial class KahunaProcessCluster : IAsyncDisposable
{
    /// <summary>
    /// Fast Raft ticks (the default is 100 ms) so an election takes well under a second; Akka at INFO because the
    /// tests wait for cluster membership changes ("Leader is moving node … to [Up]") in the nodes' output.
    /// Everything else keeps the defaults a real deployment gets.
    /// </summary>
    private const string TestConfig = """
        # Written by KahunaProcessCluster (Kahuna.Tests).
        kahuna.raft.tick-interval = 50ms
        akka.loglevel = INFO
        akka.stdout-loglevel = INFO
        """;

    /// <summary>Set to 1 to keep the run directory (data and full node logs) for a post-mortem; the next run sweeps it.</summary>
    public const string KeepRunVariable = "KAHUNA_TEST_KEEP_RUN";

    private static readonly TimeSpan ReadyLineWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan HealthyWithin = TimeSpan.FromSeconds(60);
    private const int StartAttempts = 3;

    private readonly Dictionary<string, NodeProcess> _nodes;
    private readonly string _runDirectory;
    private readonly string _configFile;
    private readonly SeedList _seeds;
    private readonly int _partitions;
    private readonly ITestOutputHelper? _log;
    private int _disposed;

    private KahunaProcessCluster(string runDirectory, IReadOnlyList<string> nodeIds, int[] ports, SeedList seeds, int partitions, string extraConfig,
        ITestOutputHelper? log)
    {
        _runDirectory = runDirectory;
        _log = log;
        _seeds = seeds;
        _partitions = partitions;
        _configFile = Path.Combine(runDirectory, "test.conf");
        File.WriteAllText(_configFile, TestConfig + "\n" + extraConfig + "\n");
        NodeIds = nodeIds;
        Map = PartitionMap.CreateStatic(nodeIds.ToList(), partitions, replicationFactor: 3);
        Keys = new PartitionKeys(Map);
        int count = nodeIds.Count;
        _nodes = new Dictionary<string, NodeProcess>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
            _nodes[nodeIds[i]] = new NodeProcess(nodeIds[i], ports[i], ports[count + i], Path.Combine(runDirectory, nodeIds[i]), runDirectory);
    }

    public IReadOnlyList<string> NodeIds { get; }

    /// <summary>The directory holding every node's data and the test configuration (deleted on dispose).</summary>
    public string RunDirectory => _runDirectory;

    /// <summary>The static partition map every node computes (n1..n3, replication factor 3: every node holds every partition).</summary>
    public PartitionMap Map { get; }

    /// <summary>Keys placed in a chosen partition.</summary>
    internal PartitionKeys Keys { get; }

    /// <summary>Every node's client endpoint, "127.0.0.1:p1,127.0.0.1:p2,…".</summary>
    public string Endpoints => string.Join(',', NodeIds.Select(EndpointOf));

    public string EndpointOf(string nodeId) => Node(nodeId).ClientEndpoint;

    public int ClusterPortOf(string nodeId) => Node(nodeId).ClusterPort;

    public IPEndPoint ClientEndPointOf(string nodeId) => new(IPAddress.Loopback, Node(nodeId).ClientPort);

    public bool IsRunning(string nodeId) => Node(nodeId).IsRunning;

    public int? PidOf(string nodeId) => Node(nodeId).Pid;

    /// <summary>
    /// Starts the nodes and waits until every one answers a ping and takes a write in every partition.
    /// <paramref name="extraConfig"/> is HOCON appended to the test configuration file every node loads.
    /// </summary>
    public static async Task<KahunaProcessCluster> StartAsync(ITestOutputHelper? log = null, SeedList seeds = SeedList.EveryNode,
        int partitions = 4, string extraConfig = "")
    {
        string[] ids = ["n1", "n2", "n3"];
        for (int attempt = 1; ; attempt++)
        {
            var cluster = new KahunaProcessCluster(ProcessReaper.CreateRunDirectory(), ids, FreePorts.Take(2 * ids.Length), seeds, partitions, extraConfig, log);
            var started = System.Diagnostics.Stopwatch.StartNew();
            try
            {
                foreach (var node in cluster.Nodes)
                {
                    cluster.RememberOutputAtStart(node.NodeId);
                    node.Start(cluster.ArgumentsFor(node, bootstrap: true));
                }
                await Task.WhenAll(cluster.Nodes.Select(n => n.WaitReadyAsync(ReadyLineWithin)));
                var processesReady = started.Elapsed;
                await cluster.WaitHealthyAsync(HealthyWithin);
                log?.WriteLine($"cluster of {ids.Length} processes: ready lines after {processesReady.TotalSeconds:F1} s, " +
                    $"healthy after {started.Elapsed.TotalSeconds:F1} s ({cluster.Endpoints})");
                return cluster;
            }
            catch (Exception ex) when (attempt < StartAttempts && cluster.LostAPortRace())
            {
                log?.WriteLine($"start attempt {attempt}: a port was taken meanwhile, retrying with new ports ({ex.Message})");
                await cluster.DisposeAsync();
            }
            catch (Exception ex)
            {
                var description = cluster.DescribeNodes();
                await cluster.DisposeAsync();
                throw new ProcessClusterException($"the cluster did not start: {ex.Message}\n\n{description}", ex);
            }
        }
    }

    /// <summary>
    /// The command line of one start. With <see cref="SeedList.EveryNode"/> every node lists every cluster port, in the
    /// same order, so a restarted node (n1 included) joins the running cluster through whichever node answers; only at
    /// the very first start (<paramref name="bootstrap"/>) n1 lists itself alone, which founds the cluster at once
    /// instead of waiting out Akka's seed-node-timeout (5 s) for peers that are not members yet.
    /// </summary>
    private IReadOnlyList<string> ArgumentsFor(NodeProcess node, bool bootstrap)
    {
        var everyPort = NodeIds.Select(id => _nodes[id].ClusterPort);
        var firstPort = everyPort.Take(1);
        var seedPorts = _seeds switch
        {
            SeedList.FirstNodeOnly => firstPort,
            _ when bootstrap && node.NodeId == NodeIds[0] => firstPort,
            _ => everyPort,
        };
        return
        [
            "start", "--node-id", node.NodeId, "--host", "127.0.0.1", "--port", $"{node.ClientPort}", "--cluster-port", $"{node.ClusterPort}",
            "--data", node.DataDirectory, "--seeds", string.Join(',', seedPorts.Select(p => $"127.0.0.1:{p}")),
            "--cluster-nodes", string.Join(',', NodeIds), "--partitions", $"{_partitions}", "--config", _configFile,
            // Test clusters run on 127.0.0.1 without client tokens (SecurityTests cover authentication).
            "--insecure",
        ];
    }

    /// <summary>True when a node failed because its port was no longer free (client port, or Akka's cluster port).</summary>
    private bool LostAPortRace() => Nodes.Any(n => !n.IsRunning
        && n.Output.Last(400).Any(l => l.Contains("address already in use", StringComparison.OrdinalIgnoreCase)
            || l.Contains("Failed to bind to", StringComparison.Ordinal)));

    /// <summary>SIGKILL of one node (kill -9): no shutdown code runs.</summary>
    public void KillNode(string nodeId)
    {
        _log?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] kill -9 {nodeId} (pid {PidOf(nodeId)})");
        Node(nodeId).Kill();
    }

    /// <summary>SIGKILL of every running node at the same moment (all signals sent, then all exits awaited).</summary>
    public void KillAll()
    {
        _log?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] kill -9 of every node");
        var running = Nodes.Where(n => n.IsRunning).ToList();
        foreach (var node in running)
            node.SendKill();
        foreach (var node in running)
            node.WaitUntilGone();
    }

    /// <summary>Starts a stopped node again with the same id, ports and data directory; waits for its ready line unless told not to.</summary>
    public async Task StartNodeAsync(string nodeId, bool waitUntilServing = true)
    {
        _log?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] start {nodeId}");
        var node = Node(nodeId);
        RememberOutputAtStart(nodeId);
        node.Start(ArgumentsFor(node, bootstrap: false));
        if (waitUntilServing) await node.WaitReadyAsync(ReadyLineWithin);
    }

    /// <summary>Waits (polling) until the node's process has exited by itself.</summary>
    public async Task WaitExitedAsync(string nodeId, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (Node(nodeId).IsRunning)
        {
            if (clock.Elapsed > within) throw new TimeoutException($"{nodeId} did not exit within {within.TotalSeconds:0} s");
            await Task.Delay(50);
        }
    }

    /// <summary>Starts every stopped node at once; waits for their ready lines.</summary>
    public async Task StartStoppedNodesAsync()
    {
        var stopped = Nodes.Where(n => !n.IsRunning).ToList();
        _log?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] start {string.Join(", ", stopped.Select(n => n.NodeId))}");
        foreach (var node in stopped)
        {
            RememberOutputAtStart(node.NodeId);
            node.Start(ArgumentsFor(node, bootstrap: false));
        }
        await Task.WhenAll(stopped.Select(n => n.WaitReadyAsync(ReadyLineWithin)));
    }

    /// <summary>
    /// A client. With no node ids it knows every node (in the given order it fails over); with ids, only those.
    /// </summary>
    public KahunaClient CreateClient(IEnumerable<string>? nodeIds = null, TimeSpan? requestTimeout = null, int connectionsPerEndpoint = 2,
        bool routeToLeaders = true) =>
        new(new KahunaClientOptions
        {
            RouteToLeaders = routeToLeaders,
            Endpoints = (nodeIds ?? NodeIds).Select(EndpointOf).ToList(),
            RequestTimeout = requestTimeout ?? TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(2),
            ConnectionsPerEndpoint = connectionsPerEndpoint,
            ClientName = "process-tests",
        });

    /// <summary>A client that talks to one node only (it does not route to leaders on other nodes).</summary>
    public KahunaClient ClientOf(string nodeId, TimeSpan? requestTimeout = null) =>
        CreateClient([nodeId], requestTimeout, routeToLeaders: false);

    /// <summary>
    /// Runs a test body; when it fails, the failure message carries the last lines each node wrote, so a failure on a
    /// machine far away can be understood without rerunning it.
    /// </summary>
    public async Task RunAsync(Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception ex)
        {
            throw new ProcessClusterException($"{ex.Message}\n\n{DescribeNodes()}", ex);
        }
    }

    /// <summary>Each node's state and the last lines of its output.</summary>
    public string DescribeNodes(int linesPerNode = 40) =>
        string.Join("\n\n", Nodes.Select(n => n.Describe(linesPerNode)));

    /// <summary>Kills every process (by PID) and deletes the data; safe to call twice.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return ValueTask.CompletedTask;
        var problems = new List<Exception>();
        foreach (var node in Nodes)
        {
            try
            {
                node.Kill();
            }
            catch (Exception ex)
            {
                problems.Add(ex); // keep killing the others
            }
        }
        if (Environment.GetEnvironmentVariable(KeepRunVariable) == "1")
            _log?.WriteLine($"{KeepRunVariable}=1: kept {_runDirectory} (data and each node's full output, n1.log …)");
        else
            ProcessReaper.DeleteRunDirectory(_runDirectory);
        if (problems.Count > 0)
            throw new AggregateException("some node processes could not be killed", problems);
        return ValueTask.CompletedTask;
    }

    /// <summary>The node processes in id order (n1, n2, n3).</summary>
    private IEnumerable<NodeProcess> Nodes => NodeIds.Select(id => _nodes[id]);

    private NodeProcess Node(string nodeId) =>
        _nodes.TryGetValue(nodeId, out var node) ? node : throw new ArgumentException($"no node '{nodeId}' (nodes: {string.Join(", ", NodeIds)})");
}

/// <summary>A failure of a process-level test, with the nodes' recent output attached to the message.</summary>
public sealed class ProcessClusterException(string message, Exception inner) : Exception(message, inner);
