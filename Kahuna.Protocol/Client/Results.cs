using System.Text;

namespace Kahuna.Protocol.Client;

/// <summary>The outcome of a try-lock: acquired with a fencing token, or busy (held by another owner).</summary>
/// <param name="Acquired">True when the lock is now held by <paramref name="Owner"/>.</param>
/// <param name="FencingToken">The grant's fencing token (0 when not acquired); pass it to the resources you protect.</param>
/// <param name="ExpiresAt">When the lease ends, on the leader's clock (null when not acquired).</param>
/// <param name="Owner">The owner that asked.</param>
public sealed record LockAcquireResult(bool Acquired, long FencingToken, DateTimeOffset? ExpiresAt, LockOwner Owner);

/// <summary>The outcome of extending a lease.</summary>
/// <param name="Status">Ok, NotFound (not held or expired) or NotOwner.</param>
/// <param name="FencingToken">The grant's fencing token (unchanged by an extend).</param>
/// <param name="ExpiresAt">The new end of the lease (null when not extended).</param>
public sealed record LockExtendResult(KahunaStatus Status, long FencingToken, DateTimeOffset? ExpiresAt)
{
    /// <summary>True when the lease was extended.</summary>
    public bool Extended => Status == KahunaStatus.Ok;
}

/// <summary>The outcome of an unlock.</summary>
/// <param name="Status">Ok, NotFound (not held or expired) or NotOwner.</param>
public sealed record LockReleaseResult(KahunaStatus Status)
{
    /// <summary>True when this owner held the lock and released it.</summary>
    public bool Released => Status == KahunaStatus.Ok;
}

/// <summary>Who holds a lock.</summary>
/// <param name="Found">False when the lock is not held (or its lease expired).</param>
/// <param name="Owner">The holder (default when not found).</param>
/// <param name="ExpiresAt">When the holder's lease ends.</param>
/// <param name="FencingToken">The current grant's fencing token.</param>
public sealed record LockInfo(bool Found, LockOwner Owner, DateTimeOffset? ExpiresAt, long FencingToken);

/// <summary>The outcome of a read.</summary>
/// <param name="Found">False when the key (or the revision asked for) does not exist.</param>
/// <param name="Value">The value (null when not found).</param>
/// <param name="Revision">The revision of the value.</param>
/// <param name="ExpiresAt">When the key expires (null when it does not).</param>
public sealed record GetResult(bool Found, byte[]? Value, long Revision, DateTimeOffset? ExpiresAt)
{
    /// <summary>The value decoded as UTF-8 (null when not found).</summary>
    public string? ValueAsString() => Value is null ? null : Encoding.UTF8.GetString(Value);
}

/// <summary>The outcome of a write.</summary>
/// <param name="Succeeded">False when a condition (flag, compare value or revision) did not hold.</param>
/// <param name="Revision">The key's new revision; when not succeeded, its current one (0 if it does not exist).</param>
public sealed record SetResult(bool Succeeded, long Revision);

/// <summary>Whether a key exists.</summary>
/// <param name="Exists">True when the key exists.</param>
/// <param name="Revision">Its current revision.</param>
/// <param name="ExpiresAt">When it expires (null when it does not).</param>
public sealed record ExistsResult(bool Exists, long Revision, DateTimeOffset? ExpiresAt);

/// <summary>The outcome of a delete.</summary>
/// <param name="Deleted">False when the key did not exist, or (compare-and-delete) did not hold what was expected.</param>
/// <param name="Revision">The revision the deletion was recorded at; when not deleted, the key's current revision (0 when
/// it does not exist).</param>
public sealed record DeleteResult(bool Deleted, long Revision);

/// <summary>The outcome of deleting several keys in one request.</summary>
/// <param name="Deleted">How many of the keys were deleted (the others did not exist).</param>
/// <param name="Revisions">Per key, in the order given: the revision its deletion was recorded at, or 0 when it did not exist.</param>
public sealed record DeleteManyResult(int Deleted, IReadOnlyList<long> Revisions);

/// <summary>The outcome of changing a key's time to live.</summary>
/// <param name="Extended">False when the key did not exist.</param>
/// <param name="Revision">The key's revision (unchanged by an extend).</param>
/// <param name="ExpiresAt">The new expiry (null for none).</param>
public sealed record ExtendResult(bool Extended, long Revision, DateTimeOffset? ExpiresAt);

/// <summary>Values taken from a sequence: <c>[Start, Start + Count)</c>.</summary>
/// <param name="Start">The first value.</param>
/// <param name="Count">How many values.</param>
public sealed record SequenceRange(long Start, int Count)
{
    /// <summary>The value after the last one (exclusive end).</summary>
    public long End => Start + Count;

    /// <summary>Every value of the range, in order.</summary>
    public IEnumerable<long> Values()
    {
        for (long value = Start; value < End; value++)
            yield return value;
    }
}

/// <summary>One page of a prefix scan.</summary>
/// <param name="Entries">The keys found, in ordinal order.</param>
/// <param name="NextStartAfter">Where the next page starts (pass it as <c>startAfter</c>); null when the scan is complete.</param>
public sealed record ScanResult(IReadOnlyList<ScanEntry> Entries, string? NextStartAfter)
{
    /// <summary>True when more keys may follow this page.</summary>
    public bool HasMore => NextStartAfter is not null;
}

/// <summary>A key found by a scan.</summary>
/// <param name="Key">The key.</param>
/// <param name="Value">Its current value.</param>
/// <param name="Revision">The revision of that value.</param>
/// <param name="ExpiresAt">When the key expires (null when it does not).</param>
public sealed record ScanEntry(string Key, byte[] Value, long Revision, DateTimeOffset? ExpiresAt)
{
    /// <summary>The value decoded as UTF-8.</summary>
    public string ValueAsString() => System.Text.Encoding.UTF8.GetString(Value);
}
