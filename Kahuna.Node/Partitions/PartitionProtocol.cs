using Akka.Actor;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Partitions;

/// <summary>Marks node-to-node messages of the Kahuna layer (bound to <see cref="Serialization.NodeSerializer"/> in HOCON).</summary>
public interface IKahunaNodeSerializable;

/// <summary>Messages between a node's router and the partition replicas (local or on other nodes).</summary>
public static class PartitionProtocol
{
    /// <summary>A client request for the partition's leader. The same wire type the client sent: one contract.</summary>
    public sealed record PartitionRequest(long CorrelationId, KahunaRequest Request, IActorRef ReplyTo) : IKahunaNodeSerializable;

    /// <summary>The answer; on NotLeader, <see cref="LeaderHint"/> names the node the replica believes leads.</summary>
    public sealed record PartitionReply(long CorrelationId, KahunaResponse Response, string? LeaderHint) : IKahunaNodeSerializable;

    /// <summary>A request forwarded to another node, with the Raft group whose replica there should take it.</summary>
    public sealed record ForwardedRequest(string GroupId, PartitionRequest Request);

    /// <summary>Requests one node forwards to another, sent together (see <see cref="Routing.ForwardOutboxes"/>).</summary>
    public sealed record PartitionRequestBatch(IReadOnlyList<ForwardedRequest> Requests) : IKahunaNodeSerializable;

    /// <summary>Answers one node's replicas send to another node's router, sent together.</summary>
    public sealed record PartitionReplyBatch(IReadOnlyList<PartitionReply> Replies) : IKahunaNodeSerializable;

    /// <summary>
    /// Stands in for a forwarded request whose type this node does not know (a newer node forwarded it during a
    /// rolling upgrade). Made only by <see cref="Serialization.NodeSerializer"/> when it reads one, never sent: the
    /// replica answers it <see cref="Kahuna.Protocol.KahunaStatus.Unsupported"/>, and the rest of its batch is served.
    /// </summary>
    public sealed record UnsupportedRequest(string Problem) : KahunaRequest;
}

/// <summary>Settings of the application a partition replica hosts (from kahuna.partitions / kahuna.sequences / ...).</summary>
public sealed record PartitionSettings
{
    /// <summary>How often (in Raft ticks) the leader looks for expired keys and locks to remove by a replicated command.</summary>
    public int ExpirySweepTicks { get; init; } = 10;

    /// <summary>At most this many expired entries are removed per sweep command.</summary>
    public int ExpiryBatch { get; init; } = 256;

    /// <summary>Values the sequence leader reserves per replicated command and then hands out from memory.</summary>
    public long SequenceBlockSize { get; init; } = 1000;

    /// <summary>Longest lease an ephemeral lock may have; a new leader waits this long (plus an election timeout) before granting ephemeral locks.</summary>
    public long EphemeralMaxLeaseMs { get; init; } = 60_000;

    /// <summary>How long a deposed leader may keep believing it leads (one election timeout, in ms).</summary>
    public long ElectionTimeoutMs { get; init; } = 1_000;

    public Kahuna.Node.StateMachines.PartitionStateMachineOptions StateMachine { get; init; } = new();
}
