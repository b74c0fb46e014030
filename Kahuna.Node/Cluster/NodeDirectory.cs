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

    private readonly ConcurrentDictionary<string, Address> _addresses = new(StringComparer.Ordinal);

    public NodeDirectory(string selfId, Address selfAddress)
    {
        SelfId = selfId;
        SelfAddress = selfAddress;
        _addresses[selfId] = selfAddress;
    }

    public string SelfId { get; }
    public Address SelfAddress { get; }

    public Address? Resolve(string nodeId) => _addresses.TryGetValue(nodeId, out var a) ? a : null;

    public IReadOnlyDictionary<string, Address> Snapshot() => new Dictionary<string, Address>(_addresses);

    public static string RoleFor(string nodeId) => NodeRolePrefix + nodeId;

    public static string? NodeIdOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(NodeRolePrefix, StringComparison.Ordinal))?[NodeRolePrefix.Length..];

    internal void Up(Member member)
    {
        if (NodeIdOf(member) is { } id && id != SelfId) _addresses[id] = member.Address;
    }

    internal void Removed(Member member)
    {
        // A node that restarted on the same id but another address has already replaced the entry; keep that one.
        if (NodeIdOf(member) is { } id && id != SelfId && _addresses.TryGetValue(id, out var a) && a.Equals(member.Address))
            _addresses.TryRemove(id, out _);
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
