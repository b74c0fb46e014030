using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Kahuna.Node.Storage;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;
using Kahuna.Tests.Support;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// Several ActorSystems in one process forming a real Akka cluster on 127.0.0.1 (ports from the OS), each with its
/// own SQLite data directory and a Raft host at /user/raft. Nodes can be stopped, restarted from their files, or
/// wiped. Everything is torn down (and the files deleted) on dispose.
/// </summary>
internal sealed class RaftTestCluster : IAsyncDisposable
{
    private readonly TempDirectory _temp = new("kahuna-raft");
    private readonly StaticRaftPeerDirectory _directory = new();
    private readonly Dictionary<string, ActorSystem> _systems = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IActorRef> _hosts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<RaftHostProtocol.StartReplica>> _started = new(StringComparer.Ordinal);
    private readonly string _raftOverrides;

    public RaftTestCluster(string raftOverrides = "") => _raftOverrides = raftOverrides;

    public IReadOnlyCollection<string> Running => _systems.Keys;
    public string DataDirectory(string node) => Path.Combine(_temp.Path, node);
    public ActorSystem System(string node) => _systems[node];

    public static async Task<RaftTestCluster> StartAsync(int nodes, string raftOverrides = "")
    {
        var cluster = new RaftTestCluster(raftOverrides);
        for (var i = 1; i <= nodes; i++) await cluster.StartNodeAsync($"n{i}");
        await cluster.AwaitMembersUpAsync(nodes);
        return cluster;
    }

    public async Task StartNodeAsync(string node)
    {
        var config = ConfigurationFactory.ParseString($$"""
            akka {
              loglevel = WARNING
              stdout-loglevel = WARNING
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
        var system = ActorSystem.Create("kahuna", SqlitePersistence.Setup(config));
        var address = Cluster.Get(system).SelfAddress;
        _directory.Set(node, address);
        var host = system.ActorOf(RaftHostProtocol.Props(new ActorPathRaftTransport(system, _directory)), RaftHostProtocol.Name);
        var seeds = _systems.Values.Select(s => Cluster.Get(s).SelfAddress).ToList();
        Cluster.Get(system).JoinSeedNodes(seeds.Count == 0 ? [address] : seeds);
        _systems[node] = system;
        _hosts[node] = host;
        // Bring back the replicas this node had before it was stopped.
        if (_started.TryGetValue(node, out var replicas))
            foreach (var start in replicas)
                await host.Ask<RaftHostProtocol.ReplicaStarted>(start, TimeSpan.FromSeconds(10));
    }

    public async Task AwaitMembersUpAsync(int count) =>
        await Eventually.True(
            () => _systems.Values.All(s => Cluster.Get(s).State.Members.Count(m => m.Status == MemberStatus.Up) >= count),
            TimeSpan.FromSeconds(30), $"{count} cluster members up");

    public async Task StopNodeAsync(string node)
    {
        if (!_systems.Remove(node, out var system)) return;
        _hosts.Remove(node);
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
            var start = new RaftHostProtocol.StartReplica(settings, () => new CounterApplication());
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
        (await Eventually.Value(async () =>
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
        _temp.Dispose();
    }
}
