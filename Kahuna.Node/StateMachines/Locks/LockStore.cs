using Kahuna.Node.StateMachines.Common;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;

namespace Kahuna.Node.StateMachines.Locks;

/// <summary>
/// Leased locks with fencing tokens. Deterministic: time is always passed in (<c>nowMs</c>, unix ms), never read.
/// Used inside <see cref="PartitionStateMachine"/> for persistent locks and directly by the leader for ephemeral ones.
/// </summary>
/// <remarks>
/// <para><b>Fencing tokens</b> come from one counter for the whole store: every grant takes the next value.
/// A resource's tokens therefore strictly increase across releases and expiries without remembering released
/// entries (they are deleted, so memory stays bounded), and across restarts and snapshots because the counter is
/// part of the snapshot. A split copies the counter to both children (<see cref="SplitOff"/>); a merge must raise
/// the survivor's counter to the larger of the two (<see cref="RaiseFencingFloor"/>).</para>
/// <para><b>Ephemeral locks</b> live only in the leader's memory and are lost on a leader change, counter included.
/// The host therefore seeds the counter (<c>initialFencingToken</c>) with a value above anything an earlier leader
/// could have issued, e.g. <c>term &lt;&lt; 32</c>: tokens keep increasing across leader changes as long as one
/// leader issues fewer than 2^32 tokens per term.</para>
/// <para><b>Re-acquire</b> by the current owner before expiry answers Ok with the same token and the
/// <em>unchanged</em> expiry: TryLock is idempotent (repeating it changes nothing), and extending is
/// <see cref="Extend"/>'s job. The reply carries the real expiry, so a client never over-estimates its lease.</para>
/// <para>A lock is expired when its expiry ≤ now. Expired entries read as absent; they are removed lazily by the
/// next write on that resource, or by <see cref="ExpireLocks"/> (the leader lists them with
/// <see cref="ListExpiredLocks"/> and proposes the removal).</para>
/// </remarks>
public sealed partial class LockStore
{
    private readonly Dictionary<string, LockEntry> _locks = new(StringComparer.Ordinal);
    private readonly DueIndex _expiries = new();

    /// <param name="initialFencingToken">The counter's start: the first grant gets this + 1. See remarks for ephemeral stores.</param>
    public LockStore(long initialFencingToken = 0)
    {
        LastFencingToken = initialFencingToken;
    }

    /// <summary>The last fencing token granted (or the initial value if none was).</summary>
    public long LastFencingToken { get; private set; }

    /// <summary>Entries held, including expired ones not yet removed.</summary>
    public int Count => _locks.Count;

    public LockResult TryLock(string resource, byte[] owner, long leaseMs, long nowMs)
    {
        if (!IsValid(resource, owner) || leaseMs <= 0)
        {
            return LockResult.InvalidInput;
        }

        if (_locks.TryGetValue(resource, out var held))
        {
            if (held.ExpiresAtMs > nowMs)
            {
                return Bytes.AreEqual(held.Owner, owner)
                    ? Acquired(held)
                    : new LockResult(KahunaStatus.Busy, 0, held.ExpiresAtMs, null);
            }

            Remove(resource, held);
        }

        var granted = new LockEntry(owner, ++LastFencingToken, SaturatingAdd(nowMs, leaseMs));
        _locks.Add(resource, granted);
        _expiries.Add(granted.ExpiresAtMs, resource);
        return Acquired(granted);
    }

    public LockResult Extend(string resource, byte[] owner, long leaseMs, long nowMs)
    {
        if (!IsValid(resource, owner) || leaseMs <= 0)
        {
            return LockResult.InvalidInput;
        }

        if (!TryGetLive(resource, nowMs, out var held))
        {
            return LockResult.NotFound;
        }

        if (!Bytes.AreEqual(held.Owner, owner))
        {
            return LockResult.NotOwner;
        }

        var extended = held with { ExpiresAtMs = SaturatingAdd(nowMs, leaseMs) };
        _expiries.Remove(held.ExpiresAtMs, resource);
        _locks[resource] = extended;
        _expiries.Add(extended.ExpiresAtMs, resource);
        return Acquired(extended);
    }

    public LockResult Unlock(string resource, byte[] owner, long nowMs)
    {
        if (!IsValid(resource, owner))
        {
            return LockResult.InvalidInput;
        }

        if (!TryGetLive(resource, nowMs, out var held))
        {
            return LockResult.NotFound;
        }

        if (!Bytes.AreEqual(held.Owner, owner))
        {
            return LockResult.NotOwner;
        }

        Remove(resource, held);
        return new LockResult(KahunaStatus.Ok, held.FencingToken, held.ExpiresAtMs, held.Owner);
    }

    /// <summary>Query (does not change state): the live lock on <paramref name="resource"/>, or NotFound.</summary>
    public LockResult GetLock(string resource, long nowMs)
    {
        if (resource is null || !_locks.TryGetValue(resource, out var held) || held.ExpiresAtMs <= nowMs)
        {
            return LockResult.NotFound;
        }

        return Acquired(held);
    }

    /// <summary>Removes the listed locks that are expired at <paramref name="nowMs"/>; others are left alone.</summary>
    public ExpiredEntriesResult ExpireLocks(IReadOnlyList<string> resources, long nowMs)
    {
        var removed = 0;
        foreach (var resource in resources ?? [])
        {
            if (resource is not null && _locks.TryGetValue(resource, out var held) && held.ExpiresAtMs <= nowMs)
            {
                Remove(resource, held);
                removed++;
            }
        }

        return new ExpiredEntriesResult(KahunaStatus.Ok, removed);
    }

    /// <summary>Query: up to <paramref name="limit"/> resources whose locks are expired at <paramref name="nowMs"/>, earliest first.</summary>
    public IReadOnlyList<string> ListExpiredLocks(long nowMs, int limit) => _expiries.ListDue(nowMs, limit);

    /// <summary>Makes sure the next token is above <paramref name="token"/> (merging partitions, seeding after a leader change).</summary>
    public void RaiseFencingFloor(long token) => LastFencingToken = Math.Max(LastFencingToken, token);

    private bool TryGetLive(string resource, long nowMs, out LockEntry held)
    {
        if (!_locks.TryGetValue(resource, out held!))
        {
            return false;
        }

        if (held.ExpiresAtMs <= nowMs)
        {
            // Lazy cleanup; safe on every replica because writes are applied everywhere in the same order.
            Remove(resource, held);
            return false;
        }

        return true;
    }

    private void Remove(string resource, LockEntry held)
    {
        _locks.Remove(resource);
        _expiries.Remove(held.ExpiresAtMs, resource);
    }

    private static LockResult Acquired(LockEntry entry) =>
        new(KahunaStatus.Ok, entry.FencingToken, entry.ExpiresAtMs, entry.Owner);

    private static bool IsValid(string resource, byte[] owner) =>
        !string.IsNullOrEmpty(resource) && owner is { Length: > 0 };

    private static long SaturatingAdd(long nowMs, long durationMs) =>
        durationMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + durationMs;

    private sealed record LockEntry(byte[] Owner, long FencingToken, long ExpiresAtMs);
}
