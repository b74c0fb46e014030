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

/// <summary>A page of a prefix scan; <paramref name="ResumeAfter"/> is null when no key with the prefix is left after it.</summary>
public sealed record ScanPage(IReadOnlyList<KeyValueItem> Items, string? ResumeAfter);

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
    /// Up to <paramref name="limit"/> live keys starting with <paramref name="prefix"/>, in ordinal order, after
    /// <paramref name="startAfter"/> when given (the last key of the previous page).
    /// </summary>
    public IReadOnlyList<KeyValueItem> ScanPrefix(string prefix, string? startAfter, int limit, long nowMs) =>
        ScanPrefix(prefix, startAfter, limit, int.MaxValue, int.MaxValue, nowMs).Items;

    /// <summary>A page of <see cref="ScanPrefix(string, string?, int, int, int, bool, long)"/> with values.</summary>
    public ScanPage ScanPrefix(string prefix, string? startAfter, int limit, int maxBytes, int maxVisits, long nowMs) =>
        ScanPrefix(prefix, startAfter, limit, maxBytes, maxVisits, keysOnly: false, nowMs);

    /// <summary>
    /// One page of a prefix scan, bounded three ways so that one scan never holds the partition for long nor builds
    /// an answer too large to send: at most <paramref name="limit"/> live keys, about <paramref name="maxBytes"/> of
    /// keys and values (cut after the key that reaches it, so at least one key always fits), and at most
    /// <paramref name="maxVisits"/> keys looked at (expired keys and tombstones count too, and a prefix can hold many).
    /// When a bound cut the page, <see cref="ScanPage.ResumeAfter"/> is the last key looked at: every key up to it
    /// was considered, and the next page starts after it. With <paramref name="keysOnly"/> every item's value is empty
    /// and only the keys count toward <paramref name="maxBytes"/>.
    /// </summary>
    public ScanPage ScanPrefix(string prefix, string? startAfter, int limit, int maxBytes, int maxVisits, bool keysOnly, long nowMs)
    {
        var items = new List<KeyValueItem>();
        prefix ??= "";
        var from = startAfter is not null && string.CompareOrdinal(startAfter, prefix) > 0 ? startAfter : prefix;
        long bytes = 0;
        var visits = 0;
        string? last = null;
        foreach (var key in _order.EnumerateFrom(from))
        {
            if (!key.StartsWith(prefix, StringComparison.Ordinal))
            {
                return new ScanPage(items, null);
            }

            if (key == startAfter)
            {
                continue;
            }

            if (last is not null && (items.Count >= limit || bytes >= maxBytes || visits >= maxVisits))
            {
                return new ScanPage(items, last); // another key follows: the page was cut
            }

            visits++;
            last = key;
            var current = _entries[key].Current;
            if (current.IsLiveAt(nowMs))
            {
                var value = keysOnly ? [] : current.Value!;
                items.Add(new KeyValueItem(key, value, current.Revision, current.ExpiresAtMs, current.ModifiedAtMs));
                bytes += key.Length * 3L + value.Length; // 3: the most UTF-8 bytes one UTF-16 unit takes
            }
        }

        return new ScanPage(items, null);
    }

    private static KeyValueResult Found(in KeyValueVersion version, bool withValue) =>
        new(KahunaStatus.Ok, version.Revision, withValue ? version.Value : null, version.ExpiresAtMs, version.ModifiedAtMs, false);
}
