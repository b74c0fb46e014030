using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Write several keys in one request, unconditionally (each with its own TTL). Replies <see cref="SetManyResponse"/>.
/// The keys of one partition are written together, as one entry of its log: all of them or none. Keys of different
/// partitions are written by each partition on its own, so a failure (Timeout, say) may leave some partitions
/// written and others not; retrying the same request (the client does, with the same operation id) completes it
/// without writing any key twice. Keys that share a <c>{hash tag}</c> live in one partition, so writing them together
/// is all or nothing.
/// </summary>
[MessagePackObject]
public sealed record SetManyRequest : KahunaWriteRequest
{
    /// <summary>The writes, 1 to <see cref="ProtocolLimits.MaxBatchKeys"/>; their values add up to at most <see cref="ProtocolLimits.MaxValueBytes"/>.</summary>
    [Key(2)]
    public SetManyItem[] Items { get; init; } = [];

    /// <summary>Which keyspace to write; must be set.</summary>
    [Key(3)]
    public Durability Durability { get; init; }
}

/// <summary>One write of a <see cref="SetManyRequest"/>.</summary>
[MessagePackObject]
public sealed record SetManyItem
{
    /// <summary>The key.</summary>
    [Key(0)]
    public string Key { get; init; } = "";

    /// <summary>The value to store (may be empty, never null).</summary>
    [Key(1)]
    public byte[] Value { get; init; } = [];

    /// <summary>Time to live in milliseconds; 0 means the key never expires.</summary>
    [Key(2)]
    public long TtlMs { get; init; }
}

/// <summary>Ok with each key's new revision, in the order of the writes.</summary>
[MessagePackObject]
public sealed record SetManyResponse : KahunaResponse
{
    /// <summary>The revision each write took, in the order of the request's items.</summary>
    [Key(2)]
    public long[] Revisions { get; init; } = [];
}
