using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Take the next <see cref="Count"/> values of the named sequence. Values are unique and increasing per
/// name; gaps may appear after a fail-over. Replies <see cref="NextSequenceResponse"/>.
/// </summary>
[MessagePackObject]
public sealed record NextSequenceRequest : KahunaWriteRequest
{
    /// <summary>The sequence's name.</summary>
    [Key(2)]
    public string Name { get; init; } = "";

    /// <summary>How many values to take (at least 1).</summary>
    [Key(3)]
    public int Count { get; init; }

    /// <summary>
    /// Optional key chosen by the application: the same key returns the same range again, even from
    /// another client or after a client restart (the <see cref="KahunaWriteRequest.OperationId"/> only covers retries of one client).
    /// </summary>
    [Key(4)]
    public string? IdempotencyKey { get; init; }
}

/// <summary>Ok with the range <c>[Start, Start + Count)</c>.</summary>
[MessagePackObject]
public sealed record NextSequenceResponse : KahunaResponse
{
    /// <summary>The first value of the range.</summary>
    [Key(2)]
    public long Start { get; init; }

    /// <summary>How many values the range holds.</summary>
    [Key(3)]
    public int Count { get; init; }
}
