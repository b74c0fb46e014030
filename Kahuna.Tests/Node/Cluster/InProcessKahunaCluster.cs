using Kahuna.Node.Hosting;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Support;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>Three (or more) real Kahuna nodes in one process on 127.0.0.1, ports from the OS, temp data directories.</summary>
internal sealed class InProcessKahunaCluster : IAsyncDisposable
{
    private readonly TempDirectory _temp = new("kahuna-nodes");
    public List<KahunaNode> Nodes { get; } = new();

    public string Endpoints => string.Join(",", Nodes.Select(n => $"127.0.0.1:{n.ClientEndPoint.Port}"));

    /// <param name="environment">Where the nodes read KAHUNA_TOKENS etc.; null starts them --insecure (no authentication).</param>
    /// <param name="nodeOverrides">Configuration of one node by its id ("n1", …), before <paramref name="overrides"/>.</param>
    public static async Task<InProcessKahunaCluster> StartAsync(int nodes = 3, int partitions = 4, string overrides = "",
        Func<string, string?>? environment = null, Func<string, string>? nodeOverrides = null)
    {
        var cluster = new InProcessKahunaCluster();
        var ids = Enumerable.Range(1, nodes).Select(i => $"n{i}").ToList();
        string? seed = null;
        foreach (var id in ids)
        {
            var node = await KahunaNode.StartAsync(new NodeOptions
            {
                NodeId = id,
                ClientPort = 0,
                ClusterPort = 0,
                DataDirectory = cluster._temp.Sub(id),
                Seeds = seed is null ? [] : [seed],
                ClusterNodes = ids,
                Partitions = partitions,
                ConfigOverrides = (nodeOverrides?.Invoke(id) ?? "") + "\nkahuna.raft.tick-interval = 50ms\n" + overrides,
                Insecure = environment is null,
                Environment = environment ?? (_ => null),
            });
            seed ??= $"127.0.0.1:{node.ClusterAddress.Port}";
            cluster.Nodes.Add(node);
        }
        return cluster;
    }

    public KahunaClient Client(string? endpoints = null) => new(new KahunaClientOptions
    {
        Endpoints = (endpoints ?? Endpoints).Split(','),
        RequestTimeout = TimeSpan.FromSeconds(20),
    });

    public async ValueTask DisposeAsync()
    {
        foreach (var node in Nodes)
        {
            try { await node.StopAsync(); }
            catch (Exception) { /* keep stopping the others */ }
        }
        _temp.Dispose();
    }
}
