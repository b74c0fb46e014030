using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Kahuna.Node.Cluster;
using Kahuna.Node.Partitions;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Node.Testing;

/// <summary>
/// Test-only faults a node inflicts on itself when asked (<see cref="FaultInjectionRequest"/>): it blackholes or restores
/// its Akka remoting traffic to other nodes through Akka's throttle transport adapter, or hands a partition's Raft
/// leadership to another node. Everything between nodes (Raft messages, forwarded requests, cluster gossip) goes through
/// remoting, so a blackholed pair is a real network partition while clients still reach every node.
/// Refused with Unauthorized unless <see cref="FaultInjectionSettings.Enabled"/>; refused with InvalidInput when the
/// throttle adapter is not applied (<c>akka.remote.dot-netty.tcp.applied-adapters = ["trttl"]</c> on every node).
/// </summary>
public sealed class FaultInjectionService
{
    private static readonly TimeSpan AskTimeout = TimeSpan.FromSeconds(5);

    private readonly FaultInjectionSettings _settings;
    private readonly ActorSystem _system;
    private readonly string _selfId;
    private readonly PartitionMap _map;
    private readonly NodeDirectory _directory;
    private readonly IActorRef _raftHost;

    public FaultInjectionService(FaultInjectionSettings settings, ActorSystem system, string selfId, PartitionMap map, NodeDirectory directory, IActorRef raftHost)
    {
        _settings = settings;
        _system = system;
        _selfId = selfId;
        _map = map;
        _directory = directory;
        _raftHost = raftHost;
    }

    /// <summary>Builds the service from the Raft host actor's system (its settings carry the node's configuration).</summary>
    public static FaultInjectionService Create(string selfId, PartitionMap map, NodeDirectory directory, IActorRef raftHost)
    {
        var system = ((IInternalActorRef)raftHost).Provider.Settings.System;
        return new FaultInjectionService(FaultInjectionSettings.Create(system.Settings.Config), system, selfId, map, directory, raftHost);
    }

    public bool Enabled => _settings.Enabled;

    public async Task<KahunaResponse> HandleAsync(FaultInjectionRequest request, CancellationToken cancellationToken)
    {
        if (!_settings.Enabled)
            return Refuse(KahunaStatus.Unauthorized, $"fault injection is off on node {_selfId} (test clusters set {FaultInjectionSettings.EnabledPath} = on)");
        return request.Action switch
        {
            FaultInjectionAction.BlockTraffic => await ThrottleAsync(request.NodeIds, Blackhole.Instance),
            FaultInjectionAction.UnblockTraffic => await ThrottleAsync(request.NodeIds, Unthrottled.Instance),
            FaultInjectionAction.UnblockAll => await ThrottleAsync(_directory.Snapshot().Keys.Where(id => id != _selfId).ToArray(), Unthrottled.Instance),
            FaultInjectionAction.TransferLeadership => await TransferLeadershipAsync(request.PartitionId, request.NodeIds[0], cancellationToken),
            _ => Refuse(KahunaStatus.InvalidInput, $"unknown fault injection action {(int)request.Action}"),
        };
    }

    private async Task<KahunaResponse> ThrottleAsync(IReadOnlyList<string> nodeIds, ThrottleMode mode)
    {
        if (((ExtendedActorSystem)_system).Provider is not IRemoteActorRefProvider remote)
            return Refuse(KahunaStatus.InvalidInput, "this node does not use Akka remoting: there is no traffic to other nodes to block");
        var transport = remote.Transport;
        var applied = new List<string>();
        var skipped = new List<string>();
        foreach (var id in nodeIds.Distinct(StringComparer.Ordinal))
        {
            if (id == _selfId || _directory.Resolve(id) is not { } address)
            {
                skipped.Add(id == _selfId ? $"{id} (self)" : $"{id} (unknown)");
                continue;
            }
            bool accepted;
            try
            {
                accepted = await transport.ManagementCommand(new SetThrottle(address, ThrottleTransportAdapter.Direction.Both, mode)).WaitAsync(AskTimeout);
            }
            catch (Exception ex) when (ex is TimeoutException or AkkaException)
            {
                return Refuse(KahunaStatus.InternalError, $"the transport did not apply the throttle to {id}: {ex.Message}");
            }
            if (!accepted)
                return Refuse(KahunaStatus.InvalidInput,
                    "the throttle transport adapter is not applied on this node: set akka.remote.dot-netty.tcp.applied-adapters = [\"trttl\"] on every node");
            applied.Add(id);
        }
        return new FaultInjectionResponse
        {
            Status = KahunaStatus.Ok,
            Applied = applied.ToArray(),
            Message = skipped.Count == 0 ? null : $"skipped: {string.Join(", ", skipped)}",
        };
    }

    private async Task<KahunaResponse> TransferLeadershipAsync(int partitionId, string target, CancellationToken cancellationToken)
    {
        var partition = _map.Partitions.FirstOrDefault(p => p.Id == partitionId);
        if (partition is null)
            return Refuse(KahunaStatus.InvalidInput, $"no partition {partitionId}");
        if (!partition.Replicas.Contains(target))
            return Refuse(KahunaStatus.InvalidInput, $"{target} holds no replica of partition {partitionId}");
        var replicas = await _raftHost.Ask<RaftHostProtocol.Replicas>(RaftHostProtocol.GetReplicas.Instance, AskTimeout, cancellationToken);
        if (!replicas.ByGroup.TryGetValue(partition.GroupId, out var replica))
            return new FaultInjectionResponse { Status = KahunaStatus.Ok, Message = $"node {_selfId} holds no replica of partition {partitionId}" };
        var status = await replica.Ask<RaftReplicaProtocol.ReplicaStatus>(RaftReplicaProtocol.GetStatus.Instance, AskTimeout, cancellationToken);
        if (status.Raft.Role != RaftRole.Leader || target == _selfId)
            return new FaultInjectionResponse { Status = KahunaStatus.Ok, Message = $"node {_selfId} is not the leader of partition {partitionId} to hand over (role {status.Raft.Role})" };
        replica.Tell(new RaftReplicaProtocol.TransferLeadership(target));
        return new FaultInjectionResponse { Status = KahunaStatus.Ok, Applied = [target] };
    }

    private static ErrorResponse Refuse(KahunaStatus status, string message) => ErrorResponse.Create(status, message);
}
