using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Akka.Event;
using Kahuna.Node.Storage;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Node.Bench;

/// <summary>
/// Several ActorSystems in one process forming a real Akka cluster on 127.0.0.1 (ports from the OS), each with its
/// own SQLite data directory and a Raft host at /user/raft: the Raft layer alone, for `kahuna bench raft` and the
/// actor-level tests. Nodes can be stopped, restarted from their files, or wiped. Everything is torn down (and the
/// files deleted) on dispose.
/// </summary>
public sealed class LocalRaftCluster : IAsyncDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), $"kahuna-raft-{Guid.NewGuid():N}");
    private readonly StaticRaftPeerDirectory _directory = new();
    private readonly Dictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RaftHostProtocol.StartReplica>> _started = new(StringComparer.Ordinal);
    private readonly string _raftOverrides;
    private readonly Func<string, IReplicaApplication> _application;
    private readonly string _logLevel;
    private readonly StoppedPeerLogFilter _logFilter = new();

    public LocalRaftCluster(Func<string, IReplicaApplication> application, string raftOverrides = "", string logLevel = "WARNING")
    {
        _logLevel = logLevel;
        _application = application;
        _raftOverrides = raftOverrides;
        Directory.CreateDirectory(_root);
    }

    public IReadOnlyCollection<string> Running => _systems.Keys;
    public string DataDirectory(string node) => Path.Combine(_root, node);
    public ActorSystem System(string node) => _systems[node];

    /// <summary>Starts <paramref name="nodes"/> nodes (n1..nN); <paramref name="application"/> builds each replica's application from its group id.</summary>
    public static async Task<LocalRaftCluster> StartAsync(int nodes, Func<string, IReplicaApplication> application, string raftOverrides = "",
        string logLevel = "WARNING")
    {
        var cluster = new LocalRaftCluster(application, raftOverrides, logLevel);
        for (var i = 1; i <= nodes; i++) await cluster.StartNodeAsync($"n{i}");
        await cluster.AwaitMembersUpAsync(nodes);
        return cluster;
    }

    public async Task StartNodeAsync(string node)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = {{_logLevel}}
              stdout-loglevel = {{_logLevel}}
              actor.provider = cluster
              remote.dot-netty.tcp {
                hostname = "127.0.0.1"
                port = 0
                tcp-reuse-addr = off
                maximum-frame-size = 4MiB
                send-buffer-size = 4MiB
                receive-buffer-size = 4MiB
              }
              cluster.roles = [kahuna]
              remote.log-remote-lifecycle-events = off
              coordinated-shutdown.run-by-clr-shutdown-hook = off
              coordinated-shutdown.exit-clr = off
            }
            kahuna.raft {
              tick-interval = 50ms
              {{_raftOverrides}}
            }
            """)
            .WithFallback(SqlitePersistence.Config(DataDirectory(node)))
            .WithFallback(RaftSettings.DefaultConfig());
        var system = ActorSystem.Create("kahuna", SqlitePersistence.Setup(config).And(new LogFilterSetup([_logFilter])));
        var address = Akka.Cluster.Cluster.Get(system).SelfAddress;
        _directory.Set(node, address);
        var host = system.ActorOf(RaftHostProtocol.Props(new ActorPathRaftTransport(system, _directory)), RaftHostProtocol.Name);
        var seeds = _systems.Values.Select(s => Akka.Cluster.Cluster.Get(s).SelfAddress).ToList();
        Akka.Cluster.Cluster.Get(system).JoinSeedNodes(seeds.Count == 0 ? [address] : seeds);
        _systems[node] = system;
        _hosts[node] = host;
        // Bring back the replicas this node had before it was stopped.
        if (_started.TryGetValue(node, out var replicas))
            foreach (var start in replicas)
                await host.Ask<RaftHostProtocol.ReplicaStarted>(start, TimeSpan.FromSeconds(10));
    }

    public async Task AwaitMembersUpAsync(int count) =>
        await Poll.UntilAsync(
            () => _systems.Values.All(s => Akka.Cluster.Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) >= count),
            TimeSpan.FromSeconds(30), $"{count} cluster members up");

    public async Task StopNodeAsync(string node)
    {
        if (!_systems.Remove(node, out var system)) return;
        _hosts.Remove(node);
        _logFilter.Stopped(Akka.Cluster.Cluster.Get(system).SelfAddress);
        await system.Terminate().WaitAsync(TimeSpan.FromSeconds(20));
    }

    public async Task WipeNodeAsync(string node)
    {
        await StopNodeAsync(node);
        Directory.Delete(DataDirectory(node), recursive: true);
    }

    /// <summary>Starts a group's replica on each of <paramref name="voters"/> (all bootstrapped with the same membership).</summary>
    public async Task StartGroupAsync(string groupId, IReadOnlyList<string> voters)
    {
        var config = RaftConfiguration.Of(voters);
        foreach (var node in voters)
        {
            var settings = new RaftReplicaSettings(groupId, node, config, RaftSettings.Create(_systems[node]));
            var start = new RaftHostProtocol.StartReplica(settings, () => _application(groupId));
            if (!_started.TryGetValue(node, out var list)) _started[node] = list = new();
            list.Add(start);
            await _hosts[node].Ask<RaftHostProtocol.ReplicaStarted>(start, TimeSpan.FromSeconds(10));
        }
    }

    /// <summary>The replica actor of a group on a node (resolved once per running ActorSystem, never blocking a thread).</summary>
    public async Task<IActorRef> ReplicaAsync(string node, string groupId)
    {
        var system = _systems[node];
        var key = (node, groupId);
        if (_replicaRefs.TryGetValue(key, out var cached) && cached.System == system) return cached.Ref;
        var actor = await system.ActorSelection($"/user/{RaftHostProtocol.Name}/{groupId}").ResolveOne(TimeSpan.FromSeconds(5));
        _replicaRefs[key] = (system, actor);
        return actor;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string, string), (ActorSystem System, IActorRef Ref)> _replicaRefs = new();

    public async Task<RaftReplicaProtocol.ReplicaStatus> StatusAsync(string node, string groupId) =>
        await _systems[node].ActorSelection($"/user/{RaftHostProtocol.Name}/{groupId}")
            .Ask<RaftReplicaProtocol.ReplicaStatus>(RaftReplicaProtocol.GetStatus.Instance, TimeSpan.FromSeconds(5));

    /// <summary>The node whose replica leads the group, once one does and every running replica agrees.</summary>
    public async Task<string> AwaitLeaderAsync(string groupId, TimeSpan? within = null) =>
        (await Poll.ValueAsync(async () =>
        {
            var statuses = new List<RaftReplicaProtocol.ReplicaStatus>();
            foreach (var node in _systems.Keys)
            {
                try { statuses.Add(await StatusAsync(node, groupId)); }
                catch (Exception) { /* no replica of this group on that node */ }
            }
            var leader = statuses.FirstOrDefault(s => s.Raft.Role == RaftRole.Leader);
            return leader is not null && statuses.All(s => s.Raft.Leader == leader.Raft.Id || s.Raft.Term < leader.Raft.Term)
                ? leader.Raft.Id
                : null;
        }, within ?? TimeSpan.FromSeconds(30), $"a leader for {groupId}"))!;

    public async ValueTask DisposeAsync()
    {
        foreach (var node in _systems.Keys.ToList())
        {
            try { await StopNodeAsync(node); }
            catch (Exception) { /* best effort: the files go anyway */ }
        }
        for (var attempt = 0; attempt < 5 && Directory.Exists(_root); attempt++)
        {
            try { Directory.Delete(_root, recursive: true); }
            catch (IOException) { await Task.Delay(100); }
        }
    }
}
