using Akka.Actor;
using Akka.Remote;
using Akka.Remote.Transport;
using Kahuna.Node.Cluster;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;

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
    private readonly NodeDirectory _directory;
    private readonly IKahunaRequestHandler _router;

    public FaultInjectionService(FaultInjectionSettings settings, ActorSystem system, string selfId, NodeDirectory directory, IKahunaRequestHandler router)
    {
        _settings = settings;
        _system = system;
        _selfId = selfId;
        _directory = directory;
        _router = router;
    }

    /// <summary>Builds the service from the Raft host actor's system (its settings carry the node's configuration).</summary>
    public static FaultInjectionService Create(string selfId, NodeDirectory directory, IActorRef raftHost, IKahunaRequestHandler router)
    {
        var system = ((IInternalActorRef)raftHost).Provider.Settings.System;
        return new FaultInjectionService(FaultInjectionSettings.Create(system.Settings.Config), system, selfId, directory, router);
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

    /// <summary>
    /// The admin command's own path (<see cref="TransferLeaderRequest"/>, routed to the partition's leader), so the fault
    /// suite moves leaders the way an operator does. Applied names the target only when leadership really moved.
    /// </summary>
    private async Task<KahunaResponse> TransferLeadershipAsync(int partitionId, string target, CancellationToken cancellationToken)
    {
        var answer = await _router.HandleAsync(new TransferLeaderRequest { PartitionId = partitionId, TargetNodeId = target }, FaultContext, cancellationToken);
        if (answer is not TransferLeaderResponse { Status: KahunaStatus.Ok } moved) return answer;
        return new FaultInjectionResponse
        {
            Status = KahunaStatus.Ok,
            Applied = moved.PreviousLeader == target ? [] : [target],
            Message = $"partition {partitionId} was led by {moved.PreviousLeader}",
        };
    }

    private static readonly RequestContext FaultContext = new(0, null, "fault-injection", null) { IsAdmin = true };

    private static ErrorResponse Refuse(KahunaStatus status, string message) => ErrorResponse.Create(status, message);
}
