using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Write a value, optionally only under conditions (flags, compare value, compare revision) and with a TTL.
/// Replies <see cref="SetResponse"/>.
/// </summary>
[MessagePackObject]
public sealed record SetRequest : KahunaWriteRequest
{
    /// <summary>The key (UTF-8, at most <see cref="ProtocolLimits.MaxKeyBytes"/> bytes).</summary>
    [Key(2)]
    public string Key { get; init; } = "";

    /// <summary>The value to store (may be empty, never null).</summary>
    [Key(3)]
    public byte[] Value { get; init; } = [];

    /// <summary>Time to live in milliseconds; 0 means the key never expires.</summary>
    [Key(4)]
    public long TtlMs { get; init; }

    /// <summary>Existence conditions.</summary>
    [Key(5)]
    public SetFlags Flags { get; init; }

    /// <summary>When set, write only if the current value equals this.</summary>
    [Key(6)]
    public byte[]? CompareValue { get; init; }

    /// <summary>When set, write only if the current revision equals this.</summary>
    [Key(7)]
    public long? CompareRevision { get; init; }

    /// <summary>Where the key lives; must be set.</summary>
    [Key(8)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with the new revision, or PreconditionFailed with the current revision (0 when the key does not exist).</summary>
[MessagePackObject]
public sealed record SetResponse : KahunaResponse
{
    /// <summary>The key's revision after the write (or its current one when the write did not happen).</summary>
    [Key(2)]
    public long Revision { get; init; }
}

/// <summary>Read a key, at its latest revision or at an older one. Replies <see cref="GetResponse"/>.</summary>
[MessagePackObject]
public sealed record GetRequest : KahunaRequest
{
    /// <summary>The key.</summary>
    [Key(0)]
    public string Key { get; init; } = "";

    /// <summary>The revision to read; 0 means the latest (revisions start at 1).</summary>
    [Key(1)]
    public long AtRevision { get; init; }

    /// <summary>Where the key lives; must be set.</summary>
    [Key(2)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with value, revision and expiry, or NotFound.</summary>
[MessagePackObject]
public sealed record GetResponse : KahunaResponse
{
    /// <summary>The stored value.</summary>
    [Key(2)]
    public byte[]? Value { get; init; }

    /// <summary>The revision of the value returned.</summary>
    [Key(3)]
    public long Revision { get; init; }

    /// <summary>When the key expires, in Unix milliseconds; 0 means never.</summary>
    [Key(4)]
    public long ExpiresAtUnixMs { get; init; }
}

/// <summary>Ask whether a key exists without fetching its value. Replies <see cref="ExistsResponse"/>.</summary>
[MessagePackObject]
public sealed record ExistsRequest : KahunaRequest
{
    /// <summary>The key.</summary>
    [Key(0)]
    public string Key { get; init; } = "";

    /// <summary>Where the key lives; must be set.</summary>
    [Key(1)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with the current revision, or NotFound.</summary>
[MessagePackObject]
public sealed record ExistsResponse : KahunaResponse
{
    /// <summary>The key's current revision.</summary>
    [Key(2)]
    public long Revision { get; init; }

    /// <summary>When the key expires, in Unix milliseconds; 0 means never.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}

/// <summary>
/// Remove a key, unconditionally or only if it still holds an expected value or revision (compare-and-delete).
/// Replies <see cref="DeleteResponse"/>: Ok, NotFound when the key is absent, PreconditionFailed when it holds
/// something else.
/// </summary>
[MessagePackObject]
public sealed record DeleteRequest : KahunaWriteRequest
{
    /// <summary>The key.</summary>
    [Key(2)]
    public string Key { get; init; } = "";

    /// <summary>Where the key lives; must be set.</summary>
    [Key(3)]
    public Durability Durability { get; init; }

    /// <summary>Delete only if the current value equals this (null: no such condition).</summary>
    [Key(4)]
    public byte[]? CompareValue { get; init; }

    /// <summary>Delete only if the key's current revision is this (null: no such condition).</summary>
    [Key(5)]
    public long? CompareRevision { get; init; }
}

/// <summary>Ok with the revision of the deletion; NotFound; or PreconditionFailed with the key's current revision.</summary>
[MessagePackObject]
public sealed record DeleteResponse : KahunaResponse
{
    /// <summary>The revision the deletion was recorded at.</summary>
    [Key(2)]
    public long Revision { get; init; }
}

/// <summary>Set a key's time to live to now + <see cref="TtlMs"/> (0 removes the expiry). Replies <see cref="ExtendResponse"/>.</summary>
[MessagePackObject]
public sealed record ExtendRequest : KahunaWriteRequest
{
    /// <summary>The key.</summary>
    [Key(2)]
    public string Key { get; init; } = "";

    /// <summary>New time to live in milliseconds, counted from now; 0 means never expire.</summary>
    [Key(3)]
    public long TtlMs { get; init; }

    /// <summary>Where the key lives; must be set.</summary>
    [Key(4)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with the key's revision (unchanged by an extend) and new expiry, or NotFound.</summary>
[MessagePackObject]
public sealed record ExtendResponse : KahunaResponse
{
    /// <summary>The key's current revision.</summary>
    [Key(2)]
    public long Revision { get; init; }

    /// <summary>The new expiry, in Unix milliseconds; 0 means never.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}
