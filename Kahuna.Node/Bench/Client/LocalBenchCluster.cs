using Kahuna.Node.Hosting;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// <c>--local N</c>: N Kahuna nodes inside the benchmark process on 127.0.0.1 (client and cluster ports from the
/// OS), data in a temporary directory deleted when the cluster is disposed. n1 starts first so its cluster port is
/// known; the others use it as their seed. The nodes run with the default settings (as <c>kahuna dev</c> does).
/// </summary>
public sealed class LocalBenchCluster : IAsyncDisposable
{
    private readonly List<KahunaNode> _nodes = new();

    private LocalBenchCluster(string dataRoot) => DataRoot = dataRoot;

    public string DataRoot { get; }

    public IReadOnlyList<KahunaNode> Nodes => _nodes;

    /// <summary>The nodes' client endpoints (n1 first).</summary>
    public IReadOnlyList<string> Endpoints => _nodes.Select(n => $"127.0.0.1:{n.ClientEndPoint.Port}").ToList();

    /// <summary>Starts the nodes; on any failure stops the ones started and deletes the data.</summary>
    /// <param name="nodes">How many nodes (n1..nN).</param>
    /// <param name="partitions">Partitions of the key space (null: the nodes' default, one per node).</param>
    /// <param name="quiet">Turn Akka's logging off (for --json); otherwise warnings and errors are shown.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    public static async Task<LocalBenchCluster> StartAsync(int nodes, int? partitions, bool quiet, CancellationToken cancellationToken, string? configFile = null)
    {
        var cluster = new LocalBenchCluster(Path.Combine(Path.GetTempPath(), $"kahuna-bench-{Guid.NewGuid():N}"));
        try
        {
            var ids = Enumerable.Range(1, nodes).Select(i => $"n{i}").ToList();
            string level = quiet ? "OFF" : "WARNING";
            NodeOptions OptionsFor(string id, IReadOnlyList<string> seeds) => new()
            {
                NodeId = id,
                Host = "127.0.0.1",
                ClientPort = 0,
                ClusterPort = 0,
                DataDirectory = Path.Combine(cluster.DataRoot, id),
                Seeds = seeds,
                ClusterNodes = ids,
                Partitions = partitions,
                ConfigOverrides = $"akka.loglevel = {level}\nakka.stdout-loglevel = {level}\nakka.remote.log-remote-lifecycle-events = off",
                ConfigFile = configFile,
                // An in-process benchmark cluster on 127.0.0.1: no client tokens.
                Insecure = true,
            };
            var first = await KahunaNode.StartAsync(OptionsFor(ids[0], []), cancellationToken).ConfigureAwait(false);
            cluster._nodes.Add(first);
            string seed = $"127.0.0.1:{first.ClusterAddress.Port}";
            var others = ids.Skip(1).Select(id => KahunaNode.StartAsync(OptionsFor(id, [seed]), cancellationToken)).ToList();
            try
            {
                await Task.WhenAll(others).ConfigureAwait(false);
            }
            finally
            {
                cluster._nodes.AddRange(others.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Waits until every partition has a leader that serves linearizable reads: one persistent read of a key in each
    /// partition succeeds (reads change nothing, so nothing is left behind in the key space).
    /// </summary>
    public async Task WaitUntilReadyAsync(KahunaClient client, TimeSpan within, CancellationToken cancellationToken)
    {
        var map = _nodes[0].Map;
        var probes = new Dictionary<int, string>();
        for (int i = 0; probes.Count < map.Partitions.Length && i < 1_000_000; i++)
        {
            string key = $"kahuna-bench-ready-{i}";
            probes.TryAdd(map.ForKey(key).Id, key);
        }
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(within);
        foreach (var key in probes.Values)
        {
            while (true)
            {
                try
                {
                    await client.GetAsync(key, cancellationToken: deadline.Token).ConfigureAwait(false);
                    break;
                }
                catch (KahunaException) when (!deadline.IsCancellationRequested)
                {
                    // No leader yet (the client already retried until its own timeout): ask again.
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_nodes.Select(StopQuietlyAsync)).ConfigureAwait(false);
        _nodes.Clear();
        DeleteDataRoot();
    }

    private static async Task StopQuietlyAsync(KahunaNode node)
    {
        try
        {
            await node.StopAsync().WaitAsync(TimeSpan.FromSeconds(40)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Keep stopping the others; the process ends soon anyway.
        }
    }

    private void DeleteDataRoot()
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            try
            {
                if (Directory.Exists(DataRoot))
                    Directory.Delete(DataRoot, recursive: true);
                return;
            }
            catch (IOException) when (attempt < 9)
            {
                // SQLite may let go of its files a moment after the ActorSystem stops.
                Thread.Sleep(50);
            }
            catch (UnauthorizedAccessException) when (attempt < 9)
            {
                Thread.Sleep(50);
            }
        }
    }
}
