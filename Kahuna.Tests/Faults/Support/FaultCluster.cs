using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.ProcessLevel;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults.Support;

/// <summary>
/// A <see cref="KahunaProcessCluster"/> whose nodes accept test-only fault injection (Kahuna.Node/Testing): network
/// partitions between nodes (Akka's throttle adapter blackholes remoting traffic), leadership transfers, plus process
/// faults (kill -9, SIGSTOP/SIGCONT). It remembers what it broke, so <see cref="HealAllAsync"/> undoes everything.
/// </summary>
internal sealed class FaultCluster : IAsyncDisposable
{
    /// <summary>
    /// Every node must use the throttle adapter (addresses become akka.trttl.tcp://…) and obey fault requests.
    /// Raft timing stays the fixture's (50 ms ticks: elections in about a second).
    /// </summary>
    public const string FaultConfig = """
        akka.remote.dot-netty.tcp.applied-adapters = ["trttl"]
        kahuna.testing.fault-injection = on
        # The throttle adapter does not pass a closed connection up to remoting (it relies on heartbeats), so after a
        # peer is killed its node keeps writing into the dead connection until the transport failure detector gives
        # up: 120 s by default, long enough that the restarted peer's joins go unanswered. Detect it in seconds.
        akka.remote.transport-failure-detector.heartbeat-interval = 1s
        akka.remote.transport-failure-detector.acceptable-heartbeat-pause = 6s
        """;

    private static readonly TimeSpan AdminTimeout = TimeSpan.FromSeconds(5);
    private readonly ITestOutputHelper? _log;
    private readonly HashSet<string> _paused = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _cut = new();

    private FaultCluster(KahunaProcessCluster cluster, ITestOutputHelper? log)
    {
        Cluster = cluster;
        _log = log;
    }

    public KahunaProcessCluster Cluster { get; }

    public IReadOnlyList<string> NodeIds => Cluster.NodeIds;

    public IReadOnlyCollection<string> Paused => _paused;

    public static async Task<FaultCluster> StartAsync(ITestOutputHelper? log, string extraConfig = "") =>
        new(await KahunaProcessCluster.StartAsync(log, extraConfig: FaultConfig + "\n" + extraConfig), log);

    /// <summary>Cuts every link between the two groups (both directions, asked of both ends so a restarted end stays cut).</summary>
    public async Task PartitionAsync(IReadOnlyCollection<string> side, IReadOnlyCollection<string> otherSide)
    {
        Log($"partition [{string.Join(",", side)}] | [{string.Join(",", otherSide)}]");
        foreach (var a in side)
        foreach (var b in otherSide)
            _cut.Add(Ordered(a, b));
        await Task.WhenAll(side.Select(a => SendAsync(a, FaultInjectionAction.BlockTraffic, otherSide.ToArray()))
            .Concat(otherSide.Select(b => SendAsync(b, FaultInjectionAction.BlockTraffic, side.ToArray()))));
    }

    /// <summary>Sends SIGSTOP: the node freezes (its leases, timers and sockets with it) until <see cref="ResumeAsync"/>.</summary>
    public void Pause(string nodeId)
    {
        if (Cluster.PidOf(nodeId) is not { } pid) return;
        Log($"SIGSTOP {nodeId} (pid {pid})");
        ProcessSignals.Stop(pid);
        _paused.Add(nodeId);
    }

    public void Resume(string nodeId)
    {
        if (!_paused.Remove(nodeId) || Cluster.PidOf(nodeId) is not { } pid) return;
        Log($"SIGCONT {nodeId} (pid {pid})");
        ProcessSignals.Continue(pid);
    }

    /// <summary>
    /// Hands the partition's leadership to <paramref name="target"/> through the first running node that answers (it
    /// routes the request to the leader); true when leadership really moved.
    /// </summary>
    public async Task<bool> TransferLeadershipAsync(int partitionId, string target)
    {
        Log($"transfer leadership of partition {partitionId} to {target}");
        foreach (var id in RunningUnpaused())
        {
            try
            {
                if (await SendAsync(id, FaultInjectionAction.TransferLeadership, [target], partitionId) is { } answer)
                    return answer.Applied.Length > 0;
            }
            catch (KahunaException e)
            {
                Log($"transfer through {id} failed: {e.Status} {e.Message}");
            }
        }
        return false;
    }

    /// <summary>kill -9 of the listed nodes at the same moment (a paused node is killed too; SIGKILL needs no SIGCONT).</summary>
    public void Kill(IReadOnlyCollection<string> nodeIds)
    {
        foreach (var id in nodeIds) _paused.Remove(id);
        if (nodeIds.Count == Cluster.NodeIds.Count) Cluster.KillAll();
        else foreach (var id in nodeIds) Cluster.KillNode(id);
    }

    /// <summary>Resumes paused nodes, heals every cut link, and restarts stopped nodes.</summary>
    public async Task HealAllAsync()
    {
        foreach (var id in _paused.ToList()) Resume(id);
        if (Cluster.NodeIds.Any(id => !Cluster.IsRunning(id)))
        {
            await Cluster.StartStoppedNodesAsync();
        }
        if (_cut.Count > 0)
        {
            Log("heal every partition");
            _cut.Clear();
            await Task.WhenAll(Cluster.NodeIds.Select(id => SendAsync(id, FaultInjectionAction.UnblockAll, [])));
        }
    }

    /// <summary>Sends one fault request to one node, through a client that talks to that node only; null when it did not answer.</summary>
    public async Task<FaultInjectionResponse?> SendAsync(string nodeId, FaultInjectionAction action, string[] nodeIds, int partitionId = 0)
    {
        if (!Cluster.IsRunning(nodeId) || _paused.Contains(nodeId)) return null;
        await using var client = Cluster.ClientOf(nodeId, AdminTimeout);
        var request = new FaultInjectionRequest { Action = action, NodeIds = nodeIds, PartitionId = partitionId };
        var response = await client.ExecuteAsync(request, CancellationToken.None);
        return response as FaultInjectionResponse ?? throw new KahunaException(response.Status, response.Message);
    }

    private IEnumerable<string> RunningUnpaused() => Cluster.NodeIds.Where(id => Cluster.IsRunning(id) && !_paused.Contains(id));

    private static (string, string) Ordered(string a, string b) => string.CompareOrdinal(a, b) < 0 ? (a, b) : (b, a);

    private void Log(string what) => _log?.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] {what}");

    public async ValueTask DisposeAsync()
    {
        foreach (var id in _paused.ToList()) Resume(id); // a stopped process still dies by SIGKILL, but be tidy
        await Cluster.DisposeAsync();
    }
}
