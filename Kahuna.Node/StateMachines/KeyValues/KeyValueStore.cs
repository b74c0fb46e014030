using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.Common;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;

namespace Kahuna.Node.StateMachines.KeyValues;

/// <summary>
/// Keys with revisions, compare-and-set, TTLs and a short history. Deterministic: time is always passed in
/// (<c>nowMs</c>, unix ms). Used inside <see cref="PartitionStateMachine"/> for persistent keys and directly by the
/// leader for ephemeral ones. Values are stored by reference: callers must not change an array after passing it.
/// </summary>
/// <remarks>
/// <para><b>Revisions</b> come from one counter for the whole store (like etcd's mod revision): every Set and
/// Delete takes the next value and a key's revision is that of its last change. A key's revision therefore
/// strictly increases even when its tombstone is collected and the key is created again.</para>
/// <para><b>Extend does not change the revision</b> (nor the value or the history): it renews a lease, it does not
/// change data, so a compare-by-revision made before a keep-alive still holds after it (as with etcd leases and
/// the original Kahuna).</para>
/// <para><b>TTL</b>: a key whose expiry ≤ now reads as absent and fails if-exists / compare conditions. Removing
/// it is a replicated decision: <see cref="ExpireKeys"/> writes a tombstone for each listed key that really is
/// expired at the command's time; the leader finds candidates with <see cref="ListExpiredKeys"/> (an index by
/// expiry, not a scan).</para>
/// <para><b>History</b> is bounded by <see cref="KeyValueStoreOptions"/>: older versions and tombstones are dropped
/// by <see cref="CollectGarbage"/>, which the state machine runs with a small budget after every command.</para>
/// </remarks>
public sealed partial class KeyValueStore
{
    private readonly Dictionary<string, KeyValueEntry> _entries = new(StringComparer.Ordinal);
    private readonly OrderedKeyIndex _order = new();
    private readonly DueIndex _expiries = new();
    private readonly DueIndex _garbage = new();
    private readonly KeyValueStoreOptions _options;

    public KeyValueStore(KeyValueStoreOptions? options = null)
    {
        _options = options ?? new KeyValueStoreOptions();
        _options.Validate();
    }

    /// <summary>The last revision given to a change (0 before the first).</summary>
    public long CurrentRevision { get; private set; }

    /// <summary>
    /// The highest revision of any key whose whole entry (tombstone and history) was collected. A read at a
    /// revision ≤ this of a key without older history may have missed a collected incarnation, so it answers "compacted".
    /// </summary>
    public long CollectedRevision { get; private set; }

    /// <summary>Entries held: live keys, expired keys not yet removed and tombstones not yet collected.</summary>
    public int Count => _entries.Count;

    public KeyValueResult Set(
        string key, byte[] value, long ttlMs, SetCondition conditions, byte[]? compareValue, long? compareRevision, long nowMs)
    {
        if (!IsValidKey(key) || value is null || ttlMs < 0 || compareRevision <= 0
            || conditions > (SetCondition.IfExists | SetCondition.IfNotExists)
            || conditions == (SetCondition.IfExists | SetCondition.IfNotExists))
        {
            return KeyValueResult.InvalidInput;
        }

        _entries.TryGetValue(key, out var entry);
        var live = entry is not null && entry.Current.IsLiveAt(nowMs);
        var liveRevision = live ? entry!.Current.Revision : 0;
        var holds =
            (!conditions.HasFlag(SetCondition.IfNotExists) || !live)
            && (!conditions.HasFlag(SetCondition.IfExists) || live)
            && ComparesHold(live ? entry : null, compareValue, compareRevision);
        if (!holds)
        {
            return KeyValueResult.PreconditionFailed(liveRevision);
        }

        var written = new KeyValueVersion(value, ++CurrentRevision, ttlMs == 0 ? 0 : SaturatingAdd(nowMs, ttlMs), nowMs);
        Write(key, entry, written, nowMs);
        return KeyValueResult.Written(written.Revision, written.ExpiresAtMs, nowMs);
    }

    /// <summary>
    /// Writes every one of <paramref name="writes"/> unconditionally, in order (a key written twice keeps the later
    /// value), each at the next revision. Checked whole first, so a malformed write changes nothing.
    /// </summary>
    public KeyValueBatchResult SetMany(IReadOnlyList<KeyValueWrite>? writes, long nowMs)
    {
        if (writes is null || writes.Count == 0)
        {
            return KeyValueBatchResult.InvalidInput;
        }

        foreach (var write in writes)
        {
            if (write is null || !IsValidKey(write.Key) || write.Value is null || write.TtlMs < 0)
            {
                return KeyValueBatchResult.InvalidInput;
            }
        }

        var revisions = new long[writes.Count];
        for (var i = 0; i < revisions.Length; i++)
        {
            var write = writes[i];
            revisions[i] = Set(write.Key, write.Value, write.TtlMs, SetCondition.None, null, null, nowMs).Revision;
        }

        return new KeyValueBatchResult(KahunaStatus.Ok, revisions);
    }

    /// <summary>
    /// Deletes every live one of <paramref name="keys"/>, in order, each with a tombstone at the next revision; a key
    /// that is absent or expired (or listed a second time) gets 0 and nothing is written for it. Checked whole first,
    /// so a malformed list changes nothing.
    /// </summary>
    public KeyValueBatchResult DeleteMany(IReadOnlyList<string>? keys, long nowMs)
    {
        if (keys is null || keys.Count == 0)
        {
            return KeyValueBatchResult.InvalidInput;
        }

        foreach (var key in keys)
        {
            if (!IsValidKey(key))
            {
                return KeyValueBatchResult.InvalidInput;
            }
        }

        var revisions = new long[keys.Count];
        for (var i = 0; i < revisions.Length; i++)
        {
            var deleted = Delete(keys[i], nowMs);
            revisions[i] = deleted.Status == KahunaStatus.Ok ? deleted.Revision : 0;
        }

        return new KeyValueBatchResult(KahunaStatus.Ok, revisions);
    }

    /// <summary>Deletes a live key by writing a tombstone revision; NotFound (and no change) when it is absent.</summary>
    public KeyValueResult Delete(string key, long nowMs) => Delete(key, null, null, nowMs);

    /// <summary>
    /// Deletes a live key by writing a tombstone revision, if it holds <paramref name="compareValue"/> and is at
    /// <paramref name="compareRevision"/> (each null: no such condition). NotFound when the key is absent;
    /// PreconditionFailed, with its current revision, when a condition does not hold. Either way nothing changes.
    /// </summary>
    public KeyValueResult Delete(string key, byte[]? compareValue, long? compareRevision, long nowMs)
    {
        if (!IsValidKey(key) || compareRevision <= 0)
        {
            return KeyValueResult.InvalidInput;
        }

        if (!_entries.TryGetValue(key, out var entry) || !entry.Current.IsLiveAt(nowMs))
        {
            return KeyValueResult.NotFound;
        }

        if (!ComparesHold(entry, compareValue, compareRevision))
        {
            return KeyValueResult.PreconditionFailed(entry.Current.Revision);
        }

        var tombstone = WriteTombstone(key, entry, nowMs);
        return KeyValueResult.Written(tombstone.Revision, 0, nowMs);
    }

    /// <summary>
    /// The compare-and-set / compare-and-delete conditions against a key's live entry (null: the key is absent, so a
    /// compare value or revision cannot hold); each null condition holds.
    /// </summary>
    private static bool ComparesHold(KeyValueEntry? live, byte[]? compareValue, long? compareRevision) =>
        (compareValue is null || (live is not null && Bytes.AreEqual(live.Current.Value, compareValue)))
        && (compareRevision is null || (live?.Current.Revision ?? 0) == compareRevision);

    /// <summary>
    /// Sets a live key's expiry to now + <paramref name="ttlMs"/> (0 removes it). The value, revision and history
    /// do not change; the answer carries the unchanged revision and the new expiry.
    /// </summary>
    public KeyValueResult Extend(string key, long ttlMs, long nowMs)
    {
        if (!IsValidKey(key) || ttlMs < 0)
        {
            return KeyValueResult.InvalidInput;
        }

        if (!_entries.TryGetValue(key, out var entry) || !entry.Current.IsLiveAt(nowMs))
        {
            return KeyValueResult.NotFound;
        }

        var extended = entry.Current with { ExpiresAtMs = ttlMs == 0 ? 0 : SaturatingAdd(nowMs, ttlMs) };
        ReplaceCurrent(key, entry, extended);
        return KeyValueResult.Written(extended.Revision, extended.ExpiresAtMs, extended.ModifiedAtMs);
    }

    /// <summary>Deletes (with a tombstone) each listed key that is expired at <paramref name="nowMs"/>; others are left alone.</summary>
    public ExpiredEntriesResult ExpireKeys(IReadOnlyList<string> keys, long nowMs)
    {
        var removed = 0;
        foreach (var key in keys ?? [])
        {
            if (key is not null && _entries.TryGetValue(key, out var entry)
                && entry.Current.HasExpiry && entry.Current.ExpiresAtMs <= nowMs)
            {
                WriteTombstone(key, entry, nowMs);
                removed++;
            }
        }

        return new ExpiredEntriesResult(KahunaStatus.Ok, removed);
    }

    private KeyValueVersion WriteTombstone(string key, KeyValueEntry entry, long nowMs)
    {
        var tombstone = new KeyValueVersion(null, ++CurrentRevision, 0, nowMs);
        Write(key, entry, tombstone, nowMs);
        return tombstone;
    }

    /// <summary>Makes <paramref name="written"/> the key's current version, keeping the previous one as history.</summary>
    private void Write(string key, KeyValueEntry? entry, KeyValueVersion written, long nowMs)
    {
        if (entry is null)
        {
            entry = new KeyValueEntry(written);
            _entries.Add(key, entry);
            _order.Add(key);
            if (written.HasExpiry)
            {
                _expiries.Add(written.ExpiresAtMs, key);
            }

            Reschedule(key, entry);
            return;
        }

        var previous = entry.Current;
        var length = entry.HistoryLength;
        if (length > 0 && length >= _options.RevisionsPerKey - 1)
        {
            // Full: the oldest version would be trimmed at once, so shift in place rather than grow a copy and trim it.
            // (History arrays are only read on the state machine's thread and copied out by snapshots.)
            var full = entry.History!;
            Array.Copy(full, 1, full, 0, length - 1);
            full[^1] = previous;
            entry.CompactedBelowRevision = full[0].Revision;
        }
        else
        {
            var history = new KeyValueVersion[length + 1];
            entry.History?.CopyTo(history, 0);
            history[^1] = previous;
            entry.History = history;
        }
        ReplaceCurrent(key, entry, written);
        TrimHistory(entry, nowMs);
        Reschedule(key, entry);
    }

    /// <summary>Swaps the current version, keeping the expiry index in step.</summary>
    private void ReplaceCurrent(string key, KeyValueEntry entry, KeyValueVersion replacement)
    {
        if (entry.Current.HasExpiry)
        {
            _expiries.Remove(entry.Current.ExpiresAtMs, key);
        }

        entry.Current = replacement;
        if (replacement.HasExpiry)
        {
            _expiries.Add(replacement.ExpiresAtMs, key);
        }
    }

    private static bool IsValidKey(string key) => !string.IsNullOrEmpty(key);

    private static long SaturatingAdd(long nowMs, long durationMs) =>
        durationMs > long.MaxValue - nowMs ? long.MaxValue : nowMs + durationMs;
}
