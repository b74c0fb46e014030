using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Tests.ProcessLevel;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Workloads;

/// <summary>
/// What every workload shares: the recorder (one clock for all), one client per node (each lists that node first and
/// fails over to the others, so picking a client at random sends a request through a random node), the keys of this
/// run (unique per run, so a key's history starts empty), and the stop signal.
/// </summary>
internal sealed class WorkloadContext : IAsyncDisposable
{
    /// <summary>Short enough that a process stuck behind a fault gives up (info) and goes on with a new operation.</summary>
    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(3);

    private readonly List<KahunaClient> _clients;

    public WorkloadContext(KahunaProcessCluster cluster, HistoryRecorder recorder, CancellationToken stop)
    {
        Cluster = cluster;
        Recorder = recorder;
        Stop = stop;
        RunId = Guid.NewGuid().ToString("N")[..6];
        var ids = cluster.NodeIds;
        _clients = Enumerable.Range(0, ids.Count)
            .Select(shift => cluster.CreateClient(ids.Skip(shift).Concat(ids.Take(shift)).ToList(), RequestTimeout, connectionsPerEndpoint: 1))
            .ToList();
    }

    public KahunaProcessCluster Cluster { get; }
    public HistoryRecorder Recorder { get; }
    public CancellationToken Stop { get; }
    public string RunId { get; }

    /// <summary>A client whose first node is chosen by <paramref name="random"/>.</summary>
    public KahunaClient AnyNode(Random random) => _clients[random.Next(_clients.Count)];

    /// <summary>A key of this run in partition <paramref name="partition"/> (mod the partition count).</summary>
    public string Key(int partition, string name) => Cluster.Keys.Key(partition % Cluster.Keys.Count, $"{RunId}/{name}");

    /// <summary>
    /// What an exception says about an operation: a request the node refused as malformed certainly did nothing, but
    /// the workload never sends one, so that is a harness bug and is rethrown. Everything else (timeout, no node
    /// reachable, lost connection, internal error, cancellation at the end) leaves the outcome unknown.
    /// </summary>
    public static string Indeterminate(Exception exception) => exception switch
    {
        KahunaException { Status: KahunaStatus.InvalidInput or KahunaStatus.TooLarge or KahunaStatus.Unauthorized } bad =>
            throw new InvalidOperationException($"the workload sent a request the node refused as malformed: {bad.Message}", bad),
        KahunaException k => k.Status.ToString(),
        OperationCanceledException => "cancelled",
        _ => exception.GetType().Name,
    };

    /// <summary>True for the exceptions an operation may end with; anything else is a harness bug and escapes.</summary>
    public static bool IsOperationFailure(Exception exception) =>
        exception is KahunaException or OperationCanceledException or ObjectDisposedException or TimeoutException;

    /// <summary>A short random pause between operations, so the load leaves the 2-core machine room for the nodes.</summary>
    public async Task ThinkAsync(Random random, int minMs = 2, int maxMs = 15)
    {
        try
        {
            await Task.Delay(random.Next(minMs, maxMs), Stop);
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
            await client.DisposeAsync();
    }
}

/// <summary>One kind of load: several processes issuing operations until stopped, then (optionally) final reads.</summary>
internal interface IWorkload
{
    string Name { get; }

    /// <summary>How many history processes it runs (their ids are given to it).</summary>
    int Processes { get; }

    Task RunProcessAsync(int process, Random random);

    /// <summary>After the cluster healed and the load stopped: reads that every checked key must pass; returns their history indices.</summary>
    Task<IReadOnlyList<int>> FinalReadsAsync(int process, TimeSpan within);
}
