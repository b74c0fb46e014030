using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using MessagePack;

namespace Kahuna.Node.StateMachines.KeyValues;

/// <summary>A live key found by a scan.</summary>
[MessagePackObject]
public sealed record KeyValueItem(
    [property: Key(0)] string Key,
    [property: Key(1)] byte[] Value,
    [property: Key(2)] long Revision,
    [property: Key(3)] long ExpiresAtMs,
    [property: Key(4)] long ModifiedAtMs);

// Queries: they never change state (the leader runs them outside the log, so a change would make replicas differ).
public sealed partial class KeyValueStore
{
    /// <summary>The live value of <paramref name="key"/> at <paramref name="nowMs"/>, or NotFound.</summary>
    public KeyValueResult Get(string key, long nowMs)
    {
        if (!IsValidKey(key) || !_entries.TryGetValue(key, out var entry) || !entry.Current.IsLiveAt(nowMs))
        {
            return KeyValueResult.NotFound;
        }

        return Found(entry.Current, withValue: true);
    }

    /// <summary>Like <see cref="Get(string, long)"/> without the value.</summary>
    public KeyValueResult Exists(string key, long nowMs)
    {
        if (!IsValidKey(key) || !_entries.TryGetValue(key, out var entry) || !entry.Current.IsLiveAt(nowMs))
        {
            return KeyValueResult.NotFound;
        }

        return Found(entry.Current, withValue: false);
    }

    /// <summary>
    /// The key as of revision <paramref name="atRevision"/>: its newest version with revision ≤ it, exactly as written
    /// (value, revision, expiry). A tombstone or a time before the key existed answers NotFound; a revision whose
    /// version is no longer retained answers NotFound with <see cref="KeyValueResult.IsCompacted"/> set.
    /// Expiry is not judged here (it depends on the time of the read at that revision, which the store does not
    /// know); the caller has <see cref="KeyValueResult.ExpiresAtMs"/> to judge it.
    /// </summary>
    public KeyValueResult Get(string key, long atRevision, long nowMs)
    {
        _ = nowMs; // kept for symmetry with the other reads and for a future time-travel rule.
        if (!IsValidKey(key) || atRevision <= 0)
        {
            return KeyValueResult.InvalidInput;
        }

        if (!_entries.TryGetValue(key, out var entry))
        {
            return atRevision <= CollectedRevision ? KeyValueResult.Compacted : KeyValueResult.NotFound;
        }

        if (entry.Current.Revision <= atRevision)
        {
            return entry.Current.IsTombstone ? KeyValueResult.NotFound : Found(entry.Current, withValue: true);
        }

        for (var index = entry.HistoryLength - 1; index >= 0; index--)
        {
            var version = entry.History![index];
            if (version.Revision <= atRevision)
            {
                return version.IsTombstone ? KeyValueResult.NotFound : Found(version, withValue: true);
            }
        }

        // Older than every retained version: either history was dropped, or an earlier incarnation of the key
        // (collected whole) may have covered this revision; otherwise the key simply did not exist yet.
        var unknown = entry.CompactedBelowRevision > 0 || atRevision <= CollectedRevision;
        return unknown ? KeyValueResult.Compacted : KeyValueResult.NotFound;
    }

    /// <summary>Up to <paramref name="limit"/> keys expired at <paramref name="nowMs"/>, earliest expiry first (for ExpireKeys).</summary>
    public IReadOnlyList<string> ListExpiredKeys(long nowMs, int limit) => _expiries.ListDue(nowMs, limit);

    /// <summary>
    /// Seam for prefix scans: up to <paramref name="limit"/> live keys starting with <paramref name="prefix"/>, in
    /// ordinal order, after <paramref name="startAfter"/> when given (the last key of the previous page).
    /// </summary>
    public IReadOnlyList<KeyValueItem> ScanPrefix(string prefix, string? startAfter, int limit, long nowMs)
    {
        var items = new List<KeyValueItem>();
        prefix ??= "";
        var from = startAfter is not null && string.CompareOrdinal(startAfter, prefix) > 0 ? startAfter : prefix;
        foreach (var key in _order.EnumerateFrom(from))
        {
            if (items.Count >= limit || !key.StartsWith(prefix, StringComparison.Ordinal))
            {
                break;
            }

            var current = _entries[key].Current;
            if (key != startAfter && current.IsLiveAt(nowMs))
            {
                items.Add(new KeyValueItem(key, current.Value!, current.Revision, current.ExpiresAtMs, current.ModifiedAtMs));
            }
        }

        return items;
    }

    private static KeyValueResult Found(in KeyValueVersion version, bool withValue) =>
        new(KahunaStatus.Ok, version.Revision, withValue ? version.Value : null, version.ExpiresAtMs, version.ModifiedAtMs, false);
}
