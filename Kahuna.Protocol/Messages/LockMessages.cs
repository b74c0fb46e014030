using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>Acquire a lease on <see cref="Resource"/> for <see cref="Owner"/>. Replies <see cref="TryLockResponse"/>.</summary>
[MessagePackObject]
public sealed record TryLockRequest : KahunaWriteRequest
{
    /// <summary>The name of the lock.</summary>
    [Key(2)]
    public string Resource { get; init; } = "";

    /// <summary>Opaque owner id; the same owner asking again while it holds the lock gets the same token.</summary>
    [Key(3)]
    public byte[] Owner { get; init; } = [];

    /// <summary>Length of the lease in milliseconds.</summary>
    [Key(4)]
    public long LeaseMs { get; init; }

    /// <summary>Where the lock lives; must be set.</summary>
    [Key(5)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with a fencing token and the lease's expiry, or Busy when another owner holds the lock.</summary>
[MessagePackObject]
public sealed record TryLockResponse : KahunaResponse
{
    /// <summary>The fencing token of this grant; increases strictly per resource.</summary>
    [Key(2)]
    public long FencingToken { get; init; }

    /// <summary>When the lease ends, in Unix milliseconds on the leader's clock.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}

/// <summary>Push the lease of a held lock to now + <see cref="LeaseMs"/>. Replies <see cref="ExtendLockResponse"/>.</summary>
[MessagePackObject]
public sealed record ExtendLockRequest : KahunaWriteRequest
{
    /// <summary>The name of the lock.</summary>
    [Key(2)]
    public string Resource { get; init; } = "";

    /// <summary>The owner that holds the lock.</summary>
    [Key(3)]
    public byte[] Owner { get; init; } = [];

    /// <summary>New lease length in milliseconds, counted from now.</summary>
    [Key(4)]
    public long LeaseMs { get; init; }

    /// <summary>Where the lock lives; must be set.</summary>
    [Key(5)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with the (unchanged) fencing token, NotFound (not held or expired) or NotOwner.</summary>
[MessagePackObject]
public sealed record ExtendLockResponse : KahunaResponse
{
    /// <summary>The fencing token of the current grant.</summary>
    [Key(2)]
    public long FencingToken { get; init; }

    /// <summary>The new end of the lease, in Unix milliseconds.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}

/// <summary>Release a held lock. Replies <see cref="UnlockResponse"/>.</summary>
[MessagePackObject]
public sealed record UnlockRequest : KahunaWriteRequest
{
    /// <summary>The name of the lock.</summary>
    [Key(2)]
    public string Resource { get; init; } = "";

    /// <summary>The owner that holds the lock.</summary>
    [Key(3)]
    public byte[] Owner { get; init; } = [];

    /// <summary>Where the lock lives; must be set.</summary>
    [Key(4)]
    public Durability Durability { get; init; }
}

/// <summary>Ok, NotFound (not held or expired) or NotOwner.</summary>
[MessagePackObject]
public sealed record UnlockResponse : KahunaResponse;

/// <summary>Read who holds a lock. Replies <see cref="GetLockResponse"/>.</summary>
[MessagePackObject]
public sealed record GetLockRequest : KahunaRequest
{
    /// <summary>The name of the lock.</summary>
    [Key(0)]
    public string Resource { get; init; } = "";

    /// <summary>Where the lock lives; must be set.</summary>
    [Key(1)]
    public Durability Durability { get; init; }
}

/// <summary>Ok with the holder, expiry and token, or NotFound (not held or expired).</summary>
[MessagePackObject]
public sealed record GetLockResponse : KahunaResponse
{
    /// <summary>The owner holding the lock.</summary>
    [Key(2)]
    public byte[]? Owner { get; init; }

    /// <summary>When the lease ends, in Unix milliseconds.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }

    /// <summary>The fencing token of the current grant.</summary>
    [Key(4)]
    public long FencingToken { get; init; }
}
