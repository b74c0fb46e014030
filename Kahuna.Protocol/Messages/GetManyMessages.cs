using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Read several keys in one request. Replies <see cref="GetManyResponse"/> with one item per key asked, in the same
/// order (a key asked twice is answered twice). Each partition that holds some of the keys reads all of its keys in one
/// linearizable read (persistent) or from its leader's memory (ephemeral); keys of different partitions are read at
/// about the same time but not at one instant.
/// </summary>
[MessagePackObject]
public sealed record GetManyRequest : KahunaRequest
{
    /// <summary>The keys, 1 to <see cref="ProtocolLimits.MaxBatchKeys"/>.</summary>
    [Key(0)]
    public string[] Keys { get; init; } = [];

    /// <summary>Which keyspace to read; must be set.</summary>
    [Key(1)]
    public Durability Durability { get; init; }
}

/// <summary>
/// Ok with one item per key asked, in order; TooLarge when the values found add up to more than
/// <see cref="ProtocolLimits.MaxBatchResponseBytes"/> (ask for fewer keys at a time).
/// </summary>
[MessagePackObject]
public sealed record GetManyResponse : KahunaResponse
{
    /// <summary>The answers, in the order of the keys asked.</summary>
    [Key(2)]
    public GetManyItem[] Items { get; init; } = [];
}

/// <summary>One key's answer in a <see cref="GetManyResponse"/>.</summary>
[MessagePackObject]
public sealed record GetManyItem
{
    /// <summary>Ok or NotFound.</summary>
    [Key(0)]
    public KahunaStatus Status { get; init; }

    /// <summary>The value (null when not found).</summary>
    [Key(1)]
    public byte[]? Value { get; init; }

    /// <summary>The revision of the value.</summary>
    [Key(2)]
    public long Revision { get; init; }

    /// <summary>When the key expires, in Unix milliseconds; 0 means never.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}
