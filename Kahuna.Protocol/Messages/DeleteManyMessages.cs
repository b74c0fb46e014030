using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Delete several keys in one request. Replies <see cref="DeleteManyResponse"/>. The keys of one partition are
/// deleted together, as one entry of its log: all of them or none. Keys of different partitions are deleted by each
/// partition on its own, so a failure (Timeout, say) may leave some partitions' keys deleted and others not; retrying
/// the same request (the client does, with the same operation id) completes it, and each partition answers a retry
/// with what it did the first time instead of deleting again. Keys that share a <c>{hash tag}</c> live in one
/// partition, so deleting them together is all or nothing.
/// </summary>
[MessagePackObject]
public sealed record DeleteManyRequest : KahunaWriteRequest
{
    /// <summary>The keys, 1 to <see cref="ProtocolLimits.MaxBatchKeys"/>, adding up to at most <see cref="ProtocolLimits.MaxBatchKeyBytes"/>.</summary>
    [Key(2)]
    public string[] Keys { get; init; } = [];

    /// <summary>Which keyspace to delete from; must be set.</summary>
    [Key(3)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with one revision per key, in the order of the request's keys.</summary>
[MessagePackObject]
public sealed record DeleteManyResponse : KahunaResponse
{
    /// <summary>
    /// Per key, in the order asked: the revision of the tombstone that deleted it, or 0 when the key was absent or
    /// expired (nothing was written for it). A key listed twice is deleted by its first listing; the second finds it absent.
    /// </summary>
    [Key(2)]
    public long[] Revisions { get; init; } = [];
}
