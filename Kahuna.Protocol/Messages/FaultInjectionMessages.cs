using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>What a <see cref="FaultInjectionRequest"/> asks the answering node to do.</summary>
public enum FaultInjectionAction : byte
{
    /// <summary>Drop every cluster message between this node and the listed nodes, both ways (a network partition).</summary>
    BlockTraffic = 0,

    /// <summary>Deliver cluster messages between this node and the listed nodes again.</summary>
    UnblockTraffic = 1,

    /// <summary>Deliver cluster messages between this node and every node it knows again (heal all partitions).</summary>
    UnblockAll = 2,

    /// <summary>
    /// If this node's replica leads <see cref="FaultInjectionRequest.PartitionId"/>, hand its leadership to the one
    /// node listed (Raft leadership transfer); otherwise do nothing.
    /// </summary>
    TransferLeadership = 3,
}

/// <summary>
/// Test-only fault injection, for the fault suite: cut or restore this node's cluster traffic to other nodes, or move
/// a partition's leadership. A node answers it only when started with <c>kahuna.testing.fault-injection = on</c>
/// (off by default); otherwise it answers Unauthorized.
/// </summary>
[MessagePackObject]
public sealed record FaultInjectionRequest : KahunaRequest
{
    /// <summary>What to do.</summary>
    [Key(0)]
    public FaultInjectionAction Action { get; init; }

    /// <summary>The other nodes concerned, by node id (empty for <see cref="FaultInjectionAction.UnblockAll"/>).</summary>
    [Key(1)]
    public string[] NodeIds { get; init; } = [];

    /// <summary>The partition whose leadership moves (only for <see cref="FaultInjectionAction.TransferLeadership"/>).</summary>
    [Key(2)]
    public int PartitionId { get; init; }
}

/// <summary>What the node did: the nodes it changed traffic to (or the transfer target), and what it skipped, in <see cref="KahunaResponse.Message"/>.</summary>
[MessagePackObject]
public sealed record FaultInjectionResponse : KahunaResponse
{
    /// <summary>The node ids the action was applied to.</summary>
    [Key(2)]
    public string[] Applied { get; init; } = [];
}
