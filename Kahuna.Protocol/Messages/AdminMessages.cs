using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Administration: hand the Raft leadership of a partition to another of its replicas (to drain a node before
/// maintenance, or to spread leaders by hand). Any node accepts it and routes it to the partition's leader, which
/// starts the transfer (thesis §3.10) and answers at once; the new leader is in charge within about an election
/// timeout. Needs an admin credential when the node requires authentication (<c>kahuna.security.admin-tokens</c>).
/// </summary>
[MessagePackObject]
public sealed record TransferLeaderRequest : KahunaRequest
{
    /// <summary>The partition whose leadership moves (see <c>kahuna cluster status</c>).</summary>
    [Key(0)]
    public int PartitionId { get; init; }

    /// <summary>The node that should lead it; it must hold a replica of the partition.</summary>
    [Key(1)]
    public string TargetNodeId { get; init; } = "";
}

/// <summary>Ok once the leader started the transfer (or the target already leads); <see cref="PreviousLeader"/> names who led.</summary>
[MessagePackObject]
public sealed record TransferLeaderResponse : KahunaResponse
{
    /// <summary>The node that led the partition when the request arrived.</summary>
    [Key(2)]
    public string? PreviousLeader { get; init; }
}
