using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

public sealed partial class KahunaClient
{
    /// <summary>
    /// Hands the Raft leadership of a partition to <paramref name="targetNodeId"/>, one of its replicas. Returns the
    /// node that led when the request arrived; the target leads within about an election timeout (watch
    /// <see cref="GetClusterStatusAsync"/>). Needs an admin token when the cluster requires authentication
    /// (<see cref="KahunaStatus.Unauthorized"/> otherwise); an unknown partition is <see cref="KahunaStatus.NotFound"/>.
    /// </summary>
    public async Task<string?> TransferLeaderAsync(int partitionId, string targetNodeId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(targetNodeId);
        var response = await ExecuteAsync(new TransferLeaderRequest { PartitionId = partitionId, TargetNodeId = targetNodeId }, cancellationToken)
            .ConfigureAwait(false);
        return response switch
        {
            TransferLeaderResponse { Status: KahunaStatus.Ok } ok => ok.PreviousLeader,
            { Status: KahunaStatus.NotFound } => throw new KahunaException(KahunaStatus.NotFound, response.Message ?? $"there is no partition {partitionId}"),
            _ => throw Unexpected(response),
        };
    }
}
