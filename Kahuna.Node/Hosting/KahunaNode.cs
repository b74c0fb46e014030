using System.Net;
using Akka.Actor;
using Akka.Configuration;
using Kahuna.Node.Cluster;
using Kahuna.Node.Network;
using Kahuna.Node.Partitions;
using Kahuna.Node.Routing;
using Kahuna.Node.Storage;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Node.Hosting;

/// <summary>
/// One running Kahuna node: an ActorSystem in the Akka cluster (role "kahuna"), its SQLite storage, the Raft
/// replicas of the partitions placed on it, the router that lets it accept any request, and the client TCP server.
/// </summary>
public sealed class KahunaNode : IAsyncDisposable
{
    private readonly ActorSystem _system;
    private readonly KahunaTcpServer _server;
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _stopping;

    private KahunaNode(NodeOptions options, ActorSystem system, KahunaTcpServer server, PartitionRouter router, KahunaSettings settings,
        StopReason stopReason)
    {
        Options = options;
        _system = system;
        _server = server;
        Router = router;
        Settings = settings;
        system.WhenTerminated.ContinueWith(_ =>
        {
            if (stopReason.Text is { } reason) _terminated.TrySetException(new InvalidOperationException(reason));
            else _terminated.TrySetResult();
        }, TaskScheduler.Default);
    }

    /// <summary>Why the node stopped itself (null: it was asked to stop, or it did not say).</summary>
    private sealed class StopReason
    {
        public volatile string? Text;
    }

    public NodeOptions Options { get; }
    public string NodeId => Options.NodeId;
    public KahunaSettings Settings { get; }
    public PartitionRouter Router { get; }
    public PartitionMap Map => Router.Map;
    public ActorSystem System => _system;

    /// <summary>Where clients connect (the actual port when 0 was asked for).</summary>
    public IPEndPoint ClientEndPoint => _server.BoundEndPoint!;

    /// <summary>This node's Akka cluster address (host and actual remoting port).</summary>
    public Address ClusterAddress => Akka.Cluster.Cluster.Get(_system).SelfAddress;

    /// <summary>Completes when the node has stopped; faults with the reason when the node stopped itself for one.</summary>
    public Task WhenTerminated => _terminated.Task;

    public static async Task<KahunaNode> StartAsync(NodeOptions options, CancellationToken cancellationToken = default)
    {
        options.Validate();
        var layout = ClusterLayout.Establish(options);
        options = options with { Partitions = layout.Partitions, ReplicationFactor = layout.ReplicationFactor, ClusterNodes = layout.Nodes };
        RefuseToFoundASecondCluster(options);
        var settings = KahunaSettings.Create(BuildConfig(options), options.NodeId, options.Environment);
        // The client port opens first: its actual port is announced to the cluster (a role), so nodes can tell
        // clients where each partition's leader serves. Until the node is built, requests are answered Retry.
        IConnectionAuthenticator authenticator = settings.Security.AuthenticationRequired
            ? new Kahuna.Node.Security.TokenAuthenticator(settings.Security.Tokens, settings.Security.AdminTokens)
            : AcceptAllAuthenticator.Instance;
        var handler = new DeferredRequestHandler();
        var server = new KahunaTcpServer(new IPEndPoint(ResolveHost(options.Host), options.ClientPort), handler, settings.Server, authenticator);
        server.Start();
        var clientEndpoint = $"{options.Host}:{server.BoundEndPoint!.Port}";
        var config = BuildConfig(options, clientEndpoint);
        ActorSystem system;
        try
        {
            system = ActorSystem.Create("kahuna", SqlitePersistence.Setup(config));
        }
        catch
        {
            await server.StopAsync();
            throw;
        }
        try
        {
            var cluster = Akka.Cluster.Cluster.Get(system);
            var self = cluster.SelfAddress;
            var directory = new NodeDirectory(options.NodeId, self, clientEndpoint, Path.Combine(options.DataDirectory, KnownPeersFile.FileName),
                cluster.Settings.AppVersion.ToString());
            system.ActorOf(NodeDirectoryActor.Props(directory), "directory");
            var stopReason = new StopReason();
            system.ActorOf(LayoutGuardActor.Props(layout.Fingerprint, reason =>
            {
                stopReason.Text = reason;
                CoordinatedShutdown.Get(system).Run(CoordinatedShutdown.ClusterLeavingReason.Instance);
            }), "layout-guard");
            var raftHost = system.ActorOf(RaftHostProtocol.Props(new ActorPathRaftTransport(system, directory)), RaftHostProtocol.Name);
            var provider = ((ExtendedActorSystem)system).Provider;
            var forwards = new ForwardOutboxes(provider, settings.Router.BatchForwards);
            ForwardInbox.Register(provider);
            var map = PartitionMap.CreateStatic(layout.Nodes, layout.Partitions, layout.ReplicationFactor);
            var versions = new CommandVersionGate(() => cluster.State.Members);
            foreach (var partition in map.HostedBy(options.NodeId))
            {
                var replica = new RaftReplicaSettings(partition.GroupId, options.NodeId, RaftConfiguration.Of(partition.Replicas), settings.Raft);
                var partitionSettings = settings.Partitions;
                await raftHost.Ask<RaftHostProtocol.ReplicaStarted>(
                    new RaftHostProtocol.StartReplica(replica, () => new PartitionApplication(partitionSettings, forwards: forwards, versions: versions)),
                    TimeSpan.FromSeconds(30), cancellationToken);
            }
            var router = new PartitionRouter(system, options.NodeId, map, directory, settings.Router, forwards);
            system.RegisterOnTermination(router.Dispose);
            JoinCluster(system, options, self);
            handler.Target = new NodeRequestHandler(router, new ClusterStatusService(options.NodeId, map, directory, raftHost, router));
            return new KahunaNode(options, system, server, router, settings, stopReason);
        }
        catch
        {
            await server.StopAsync();
            await system.Terminate();
            throw;
        }
    }

    /// <summary>
    /// Configuration precedence: test/tool overrides, then what the flags decided (identity, ports, data), then the
    /// --config file, then the embedded defaults (kahuna.conf, Raft, persistence).
    /// </summary>
    public static Config BuildConfig(NodeOptions options, string? clientEndpoint = null)
    {
        var clientRole = clientEndpoint is null ? "" : $", \"{NodeDirectory.ClientRoleFor(clientEndpoint)}\"";
        if (options is { Partitions: { } partitions, ReplicationFactor: { } replicationFactor })
            clientRole += $", \"{LayoutGuardActor.RoleFor(new ClusterLayout(partitions, replicationFactor, options.EffectiveClusterNodes))}\"";
        var identity = ConfigurationFactory.ParseString($$"""
            akka.remote.dot-netty.tcp.hostname = "{{options.Host}}"
            akka.remote.dot-netty.tcp.port = {{options.ClusterPort}}
            akka.cluster.roles = ["{{NodeDirectory.KahunaRole}}", "{{NodeDirectory.RoleFor(options.NodeId)}}"{{clientRole}}]
            akka.cluster.app-version = "{{KahunaVersion.Current}}"
            """);
        if (options.Insecure) identity = ConfigurationFactory.ParseString("kahuna.security.authentication = off").WithFallback(identity);
        var config = ConfigurationFactory.ParseString(options.ConfigOverrides ?? "").WithFallback(identity);
        if (options.ConfigFile is { } file)
        {
            if (!File.Exists(file)) throw new ArgumentException($"configuration file '{file}' does not exist");
            config = config.WithFallback(ConfigurationFactory.ParseString(File.ReadAllText(file)));
        }
        return config
            .WithFallback(KahunaSettings.DefaultConfig())
            .WithFallback(RaftSettings.DefaultConfig())
            .WithFallback(SqlitePersistence.Config(options.DataDirectory));
    }

    /// <summary>
    /// A member of a multi-node cluster restarting with data whose only seed is itself would join itself and found
    /// a second, separate cluster that can never reach its peers. Refuse, and say how to start it instead.
    /// </summary>
    private static void RefuseToFoundASecondCluster(NodeOptions options)
    {
        var hasData = File.Exists(Path.Combine(options.DataDirectory, SqlitePersistence.JournalFile));
        var onlySelf = options.Seeds.All(s => IsSelf(s, options));
        if (hasData && onlySelf && options.EffectiveClusterNodes.Count > 1)
            throw new ArgumentException(
                $"node {options.NodeId} already holds data of a {options.EffectiveClusterNodes.Count}-node cluster, but its only seed is itself: " +
                "it would found a new, separate cluster. List every node's cluster port in --seeds (the same list, in the same order, on every node).");
    }

    private static bool IsSelf(string seed, NodeOptions options)
    {
        var colon = seed.LastIndexOf(':');
        return colon > 0 && int.TryParse(seed[(colon + 1)..], out var port) && port == options.ClusterPort &&
               (seed[..colon] == options.Host || seed[..colon] is "127.0.0.1" or "localhost" && options.Host is "127.0.0.1" or "localhost");
    }

    private static void JoinCluster(ActorSystem system, NodeOptions options, Address self)
    {
        var seeds = options.Seeds
            .Select(s => ParseSeed(s, self))
            .ToList();
        Akka.Cluster.Cluster.Get(system).JoinSeedNodes(seeds.Count == 0 ? [self] : seeds);
    }

    private static Address ParseSeed(string seed, Address self)
    {
        var colon = seed.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(seed[(colon + 1)..], out var port) || port is < 1 or > 65535)
            throw new ArgumentException($"seed '{seed}' is not host:port");
        return new Address(self.Protocol, self.System, seed[..colon], port);
    }

    private static IPAddress ResolveHost(string host) =>
        IPAddress.TryParse(host, out var ip) ? ip : Dns.GetHostAddresses(host).First();

    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopping, 1) == 1)
        {
            await WhenTerminated.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return;
        }
        await _server.StopAsync();
        try
        {
            // Leave the cluster gracefully so peers do not wait for the failure detector.
            await CoordinatedShutdown.Get(_system).Run(CoordinatedShutdown.ClrExitReason.Instance).WaitAsync(TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            await _system.Terminate();
        }
        // A node that stopped itself faults WhenTerminated with its reason; stopping it is still a success.
        await WhenTerminated.ContinueWith(static _ => { }, TaskScheduler.Default).WaitAsync(TimeSpan.FromSeconds(15));
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
