using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>Asks the node for its view of the cluster: members, and every partition's replicas, leader and progress.</summary>
[MessagePackObject]
public sealed record ClusterStatusRequest : KahunaRequest;

/// <summary>The answering node's view of the cluster.</summary>
[MessagePackObject]
public sealed record ClusterStatusResponse : KahunaResponse
{
    /// <summary>The node that answered.</summary>
    [Key(2)]
    public string NodeId { get; init; } = "";

    /// <summary>Generation of the partition map this node uses.</summary>
    [Key(3)]
    public long MapGeneration { get; init; }

    /// <summary>The Kahuna nodes this node knows, with their cluster addresses.</summary>
    [Key(4)]
    public ClusterMemberInfo[] Members { get; init; } = [];

    /// <summary>Every partition, as far as this node knows it.</summary>
    [Key(5)]
    public PartitionInfo[] Partitions { get; init; } = [];
}

/// <summary>A Kahuna node in the cluster.</summary>
[MessagePackObject]
public sealed record ClusterMemberInfo
{
    /// <summary>The node's id.</summary>
    [Key(0)]
    public string NodeId { get; init; } = "";

    /// <summary>Its Akka cluster address (akka.tcp://kahuna@host:port).</summary>
    [Key(1)]
    public string Address { get; init; } = "";

    /// <summary>Where clients connect to it (host:port), when known.</summary>
    [Key(2)]
    public string? ClientEndpoint { get; init; }

    /// <summary>
    /// The Kahuna version it advertises (akka.cluster.app-version), when known: during a rolling upgrade, the nodes
    /// still to upgrade. Builds from before versions were advertised show their assembly version, 1.0.0.
    /// </summary>
    [Key(3)]
    public string? Version { get; init; }
}

/// <summary>One partition: its hash range, replicas, and what the answering node knows of its leader and log.</summary>
[MessagePackObject]
public sealed record PartitionInfo
{
    /// <summary>The partition's id.</summary>
    [Key(0)]
    public int Id { get; init; }

    /// <summary>First hash of the range, as 16 hex digits.</summary>
    [Key(1)]
    public string RangeStart { get; init; } = "";

    /// <summary>Last hash of the range (inclusive), as 16 hex digits.</summary>
    [Key(2)]
    public string RangeEnd { get; init; } = "";

    /// <summary>Nodes holding a replica.</summary>
    [Key(3)]
    public string[] Replicas { get; init; } = [];

    /// <summary>The node believed to lead it (null when unknown).</summary>
    [Key(4)]
    public string? Leader { get; init; }

    /// <summary>Raft term of the answering node's replica (0 when it holds none).</summary>
    [Key(5)]
    public long Term { get; init; }

    /// <summary>Highest log index known committed.</summary>
    [Key(6)]
    public long CommitIndex { get; init; }

    /// <summary>Highest log index applied to the state machine.</summary>
    [Key(7)]
    public long AppliedIndex { get; init; }

    /// <summary>Role of the answering node's replica: Leader, Follower, Candidate, PreCandidate, or None.</summary>
    [Key(8)]
    public string LocalRole { get; init; } = "None";

    /// <summary>
    /// Non-zero while the answering node's replica lacks committed entries up to this index: its journal came back
    /// shorter than the commit index it had recorded (lost acknowledged writes). Until a leader has sent them again it
    /// does not campaign and votes only for candidates that must hold them. 0 from nodes that predate the field.
    /// </summary>
    [Key(9)]
    public long LostEntriesUpTo { get; init; }
}
