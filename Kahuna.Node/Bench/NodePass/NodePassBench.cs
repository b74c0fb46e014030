using Akka.Actor;
using Akka.Configuration;
using Kahuna.Node.Storage;
using Kahuna.Raft;
using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Bench.NodePass;

/// <summary>
/// `kahuna bench raft --shell node-pass`: the same three in-process nodes, SQLite log writers with fsync and closed-loop
/// drivers as <see cref="RaftBenchmark"/>, but every group of a node runs in one <see cref="NodePassHost"/>.
/// </summary>
public static class NodePassBench
{
    private static readonly string[] Nodes = ["n1", "n2", "n3"];

    public static async Task<RaftBenchRow> RunGroupsAsync(int groups, RaftBenchOptions options, Action<string> log, CancellationToken ct)
    {
        var root = Path.Combine(Path.GetTempPath(), $"kahuna-np-{Guid.NewGuid():N}");
        var systems = new Dictionary<string, ActorSystem>();
        var writers = new List<SqliteLogWriter>();
        var hosts = new Dictionary<string, IActorRef>();
        try
        {
            foreach (var node in Nodes)
            {
                var config = ConfigurationFactory.ParseString($$"""
                    akka.loglevel = {{options.LogLevel}}
                    akka.stdout-loglevel = {{options.LogLevel}}
                    akka.actor.provider = remote
                    akka.remote.dot-netty.tcp { hostname = "127.0.0.1", port = 0, tcp-reuse-addr = off, maximum-frame-size = 4MiB,
                      send-buffer-size = 4MiB, receive-buffer-size = 4MiB }
                    kahuna.raft { tick-interval = 50ms
                    {{options.RaftOverrides}} }
                    """).WithFallback(RaftSettings.DefaultConfig());
                var system = ActorSystem.Create("kahuna", config);
                systems[node] = system;
                var dir = Path.Combine(root, node);
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, "journal.db");
                using (var c = new SqliteConnection(SqlitePersistence.ConnectionString(path)))
                {
                    c.Open();
                    JournalSchema.Ensure(c);
                }
                // The product journal's defaults (SqlitePersistence): row cap, queue bound, background WAL checkpoints.
                var writer = new SqliteLogWriter(path, 4096, 8192, new WalCheckpointSettings(TimeSpan.FromMilliseconds(250), 16384));
                writers.Add(writer);
                hosts[node] = system.ActorOf(Props.Create(() => new NodePassHost(node, writer, RaftSettings.Create(system))), "nodepass");
            }
            var addresses = Nodes.ToDictionary(n => n, n => ((ExtendedActorSystem)systems[n]).Provider.DefaultAddress);
            foreach (var node in Nodes)
            {
                var peers = new Dictionary<string, IActorRef>();
                foreach (var other in Nodes)
                    peers[other] = other == node
                        ? hosts[node]
                        : await systems[node].ActorSelection($"{addresses[other]}/user/nodepass").ResolveOne(TimeSpan.FromSeconds(10));
                hosts[node].Tell(new NodePassHost.SetPeers(peers));
            }
            for (var g = 0; g < groups; g++)
                foreach (var node in Nodes)
                    await hosts[node].Ask<bool>(new NodePassHost.StartGroup($"b{g}", Nodes), TimeSpan.FromSeconds(10));
            var leaders = new Dictionary<int, string>();
            for (var g = 0; g < groups; g++)
            {
                var group = g;
                leaders[g] = (await Poll.ValueAsync(async () =>
                {
                    var seen = new List<string>();
                    foreach (var node in Nodes) seen.Add(await hosts[node].Ask<string>(new NodePassHost.GetLeader($"b{group}"), TimeSpan.FromSeconds(5)));
                    return seen.All(s => s.Length > 0 && s == seen[0]) ? seen[0] : null;
                }, TimeSpan.FromSeconds(30), $"a leader for b{g}"))!;
            }
            log($"{groups} group(s) elected; leaders per node: {RaftBenchmark.LeadersPerNode(leaders.Values)}");
            var payload = new byte[options.PayloadBytes];
            Random.Shared.NextBytes(payload);
            var drivers = new List<IActorRef>();
            var perGroup = Math.Max(4, options.InFlight / groups);
            foreach (var node in Nodes)
            {
                var targets = leaders.Where(l => l.Value == node).Select(l => new RaftBenchDriver.Target(l.Key, hosts[node])).ToList();
                if (targets.Count == 0) continue;
                var driver = systems[node].ActorOf(RaftBenchDriver.Props(targets, perGroup, payload));
                driver.Tell(new RaftBenchDriver.Begin(Measure: false));
                drivers.Add(driver);
            }
            return await RaftBenchmark.MeasureAsync(groups, drivers, options,
                () => (writers.Sum(w => w.Commits), writers.Sum(w => w.RowsWritten)), ct);
        }
        finally
        {
            await Task.WhenAll(systems.Values.Select(s => s.Terminate())).WaitAsync(TimeSpan.FromSeconds(20));
            foreach (var w in writers) w.Dispose();
            try { Directory.Delete(root, recursive: true); }
            catch (IOException) { /* best effort, as LocalRaftCluster: a temp directory left behind is harmless */ }
        }
    }
}
