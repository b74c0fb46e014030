using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Kahuna.Raft.Actors;

namespace Kahuna.Node.Cluster;

/// <summary>
/// Where each Kahuna node is, learned from Akka cluster membership: a Kahuna node joins with the role
/// "kahuna" and a role naming its id, "kahuna-node:{id}". Application nodes that join with other roles are never
/// listed. Thread-safe; updated by <see cref="NodeDirectoryActor"/>.
/// </summary>
public sealed class NodeDirectory : IRaftPeerDirectory
{
    public const string KahunaRole = "kahuna";
    public const string NodeRolePrefix = "kahuna-node:";
    public const string ClientRolePrefix = "kahuna-client:";

    // Per node id: the member incarnation (address + uid) last seen joining. A node restarted on the same host:port
    // is a new incarnation and replaces the entry; removals never erase it (see Removed).
    private readonly ConcurrentDictionary<string, UniqueAddress> _members = new(StringComparer.Ordinal);

    // Per node id: where its clients connect (host:port), announced in its "kahuna-client:" role.
    private readonly ConcurrentDictionary<string, string> _clientEndpoints = new(StringComparer.Ordinal);

    // Per node id: the version its incarnation last seen advertised (akka.cluster.app-version).
    private readonly ConcurrentDictionary<string, string> _versions = new(StringComparer.Ordinal);

    // Per node id: the address remembered from an earlier run (see KnownPeersFile), used until membership says more.
    private readonly ConcurrentDictionary<string, Address> _remembered = new(StringComparer.Ordinal);
    private readonly KnownPeersFile? _knownPeers;

    /// <param name="knownPeersPath">Where to remember peers' addresses across restarts (null: do not).</param>
    /// <param name="selfVersion">The version this node advertises (null: not known).</param>
    public NodeDirectory(string selfId, Address selfAddress, string? selfClientEndpoint = null, string? knownPeersPath = null,
        string? selfVersion = null)
    {
        SelfId = selfId;
        SelfAddress = selfAddress;
        if (selfVersion is not null) _versions[selfId] = selfVersion;
        if (selfClientEndpoint is not null) _clientEndpoints[selfId] = selfClientEndpoint;
        if (knownPeersPath is null) return;
        _knownPeers = new KnownPeersFile(knownPeersPath);
        foreach (var (id, address) in _knownPeers.Load())
            if (id != selfId) _remembered[id] = address;
    }

    /// <summary>The client endpoint (host:port) of a node, when it announced one.</summary>
    public string? ClientEndpoint(string nodeId) => _clientEndpoints.TryGetValue(nodeId, out var e) ? e : null;

    /// <summary>The version a node advertises, when it has been a member since this node started.</summary>
    public string? Version(string nodeId) => _versions.TryGetValue(nodeId, out var v) ? v : null;

    public static string ClientRoleFor(string endpoint) => ClientRolePrefix + endpoint;

    public string SelfId { get; }
    public Address SelfAddress { get; }

    /// <summary>
    /// A node's address: from membership, else remembered from an earlier run. A restarted node may wait a while to
    /// be admitted to Akka membership (the others must first down its old incarnation); Raft needs no membership,
    /// so its replicas talk to their peers at the remembered addresses meanwhile instead of serving nothing.
    /// </summary>
    public Address? Resolve(string nodeId) =>
        nodeId == SelfId ? SelfAddress
        : _members.TryGetValue(nodeId, out var m) ? m.Address
        : _remembered.TryGetValue(nodeId, out var r) ? r : null;

    public IReadOnlyDictionary<string, Address> Snapshot()
    {
        var all = _remembered.ToDictionary(kv => kv.Key, kv => kv.Value);
        foreach (var (id, member) in _members) all[id] = member.Address;
        all[SelfId] = SelfAddress;
        return all;
    }

    public static string RoleFor(string nodeId) => NodeRolePrefix + nodeId;

    public static string? NodeIdOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(NodeRolePrefix, StringComparison.Ordinal))?[NodeRolePrefix.Length..];

    internal void Up(Member member)
    {
        if (NodeIdOf(member) is not { } id || id == SelfId) return;
        _members[id] = member.UniqueAddress;
        _versions[id] = member.AppVersion.ToString();
        if (_knownPeers is not null && !(_remembered.TryGetValue(id, out var known) && known.Equals(member.Address)))
        {
            _remembered[id] = member.Address;
            _knownPeers.Save(_remembered);
        }
        var client = member.Roles.FirstOrDefault(r => r.StartsWith(ClientRolePrefix, StringComparison.Ordinal));
        if (client is not null) _clientEndpoints[id] = client[ClientRolePrefix.Length..];
    }

    /// <summary>
    /// A member left Akka's membership. Its address is kept on purpose: Raft must not depend on membership being
    /// complete. A node restarted at the same host:port can be stuck outside Akka's view (its join accepted only by
    /// a node that died before gossiping it, while others ignore gossip from members they do not know), yet its
    /// replicas are still needed for a quorum. Messages to an address nobody listens on are simply lost, which Raft
    /// tolerates; a newer incarnation replaces the entry when Akka admits it.
    /// </summary>
    internal void Removed(Member member)
    {
    }
}

/// <summary>Keeps a <see cref="NodeDirectory"/> in line with cluster membership events.</summary>
public sealed class NodeDirectoryActor : ReceiveActor
{
    public NodeDirectoryActor(NodeDirectory directory)
    {
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var m in state.Members.Where(m => m.Status is MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp))
                directory.Up(m);
        });
        Receive<ClusterEvent.MemberJoined>(e => directory.Up(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => directory.Up(e.Member));
        Receive<ClusterEvent.MemberUp>(e => directory.Up(e.Member));
        Receive<ClusterEvent.MemberRemoved>(e => directory.Removed(e.Member));
    }

    protected override void PreStart() =>
        Akka.Cluster.Cluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot,
            typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => Akka.Cluster.Cluster.Get(Context.System).Unsubscribe(Self);

    public static Props Props(NodeDirectory directory) => Akka.Actor.Props.Create(() => new NodeDirectoryActor(directory));
}
