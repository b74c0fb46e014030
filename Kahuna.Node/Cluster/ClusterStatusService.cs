using Akka.Actor;
using Kahuna.Node.Network;
using Kahuna.Node.Partitions;
using Kahuna.Node.Routing;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;

namespace Kahuna.Node.Cluster;

/// <summary>
/// The node's request handler: cluster administration requests are answered here, everything else goes to the
/// partition router.
/// </summary>
public sealed class NodeRequestHandler(PartitionRouter router, ClusterStatusService status) : IKahunaRequestHandler
{
    public ValueTask<KahunaResponse> HandleAsync(KahunaRequest request, RequestContext context, CancellationToken cancellationToken) => request switch
    {
        ClusterStatusRequest => new ValueTask<KahunaResponse>(status.GetAsync(cancellationToken)),
        FaultInjectionRequest fault => new ValueTask<KahunaResponse>(status.FaultInjection.HandleAsync(fault, cancellationToken)),
        TransferLeaderRequest when !context.IsAdmin => new ValueTask<KahunaResponse>(ErrorResponse.Create(KahunaStatus.Unauthorized,
            "a leadership transfer is an admin command: connect with an admin token (kahuna.security.admin-tokens)")),
        _ => router.HandleAsync(request, context, cancellationToken),
    };
}

/// <summary>Builds this node's view of the cluster from its directory, its partition map and its local replicas.</summary>
public sealed class ClusterStatusService(string nodeId, PartitionMap map, NodeDirectory directory, IActorRef raftHost, PartitionRouter router)
{
    /// <summary>Test-only faults (Kahuna.Node/Testing), refused unless kahuna.testing.fault-injection = on.</summary>
    public Kahuna.Node.Testing.FaultInjectionService FaultInjection { get; } = Kahuna.Node.Testing.FaultInjectionService.Create(nodeId, directory, raftHost, router);

    public async Task<KahunaResponse> GetAsync(CancellationToken cancellationToken)
    {
        var replicas = await raftHost.Ask<RaftHostProtocol.Replicas>(RaftHostProtocol.GetReplicas.Instance, TimeSpan.FromSeconds(5), cancellationToken);
        var local = await Task.WhenAll(replicas.ByGroup.Select(async kv =>
        {
            try
            {
                return await kv.Value.Ask<RaftReplicaProtocol.ReplicaStatus>(RaftReplicaProtocol.GetStatus.Instance, TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                return null; // a replica that is restarting answers nothing; report what is known
            }
        }));
        var byGroup = local.Where(s => s is not null).ToDictionary(s => s!.GroupId, s => s!);
        var partitions = map.Partitions.Select(p =>
        {
            byGroup.TryGetValue(p.GroupId, out var st);
            var leader = st?.Raft.Leader ?? router.LeaderHint(p.Id);
            return new PartitionInfo
            {
                Id = p.Id,
                RangeStart = p.Start.ToString("x16"),
                RangeEnd = p.End.ToString("x16"),
                Replicas = p.Replicas.ToArray(),
                Leader = leader,
                Term = st?.Raft.Term ?? 0,
                CommitIndex = st?.Raft.Commit ?? 0,
                AppliedIndex = st?.Raft.Applied ?? 0,
                LocalRole = st?.Raft.Role.ToString() ?? "None",
                LostEntriesUpTo = st?.Raft.LostEntriesUpTo ?? 0,
            };
        }).ToArray();
        return new ClusterStatusResponse
        {
            Status = KahunaStatus.Ok,
            NodeId = nodeId,
            MapGeneration = map.Generation,
            Members = directory.Snapshot().OrderBy(kv => kv.Key, StringComparer.Ordinal)
                .Select(kv => new ClusterMemberInfo
                {
                    NodeId = kv.Key,
                    Address = kv.Value.ToString(),
                    ClientEndpoint = directory.ClientEndpoint(kv.Key),
                    Version = directory.Version(kv.Key),
                }).ToArray(),
            Partitions = partitions,
        };
    }
}
