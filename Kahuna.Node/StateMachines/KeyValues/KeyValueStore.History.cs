namespace Kahuna.Node.StateMachines.KeyValues;

public sealed partial class KeyValueStore
{
    /// <summary>
    /// Drops history that is past its window and removes tombstones older than the window: at most
    /// <paramref name="budget"/> keys per call, so a command's apply time stays bounded. Deterministic: keys are
    /// visited in (due time, key) order, and time is the caller's. Returns how many keys it visited.
    /// </summary>
    /// <remarks>
    /// A key's index entry may be earlier than its real due time (<see cref="Reschedule"/> leaves it there when a
    /// write pushes the due time later). Such an entry is moved to the real time when it comes up and is not a
    /// visit: it changes nothing else and does not count against the budget. Every index entry is at or before its
    /// key's real due time, so by the time a key is visited every key really due before it was moved ahead of it:
    /// the visits, and so the state, are exactly those of an index that was always exact (a replica restored from
    /// a snapshot builds an exact one).
    /// </remarks>
    public int CollectGarbage(long nowMs, int budget)
    {
        var visited = 0;
        while (visited < budget && _garbage.TryPeekDue(nowMs, out var key, out var indexedDue))
        {
            var entry = _entries[key];
            var due = GcDueOf(entry);
            if (due != indexedDue)
            {
                MoveInIndex(key, entry, due);
                continue;
            }

            visited++;
            TrimHistory(entry, nowMs);
            if (entry.Current.IsTombstone && entry.HistoryLength == 0
                && SaturatingAdd(entry.Current.ModifiedAtMs, _options.HistoryRetentionMs) <= nowMs)
            {
                RemoveEntry(key, entry);
            }
            else
            {
                MoveInIndex(key, entry, GcDueOf(entry));
            }
        }

        return visited;
    }

    /// <summary>Drops the oldest versions beyond the per-key count, then those superseded longer ago than the window.</summary>
    private void TrimHistory(KeyValueEntry entry, long nowMs)
    {
        var length = entry.HistoryLength;
        var drop = Math.Max(0, length - (_options.RevisionsPerKey - 1));
        while (drop < length && SaturatingAdd(entry.SupersededAt(drop), _options.HistoryRetentionMs) <= nowMs)
        {
            drop++;
        }

        if (drop == 0)
        {
            return;
        }

        entry.History = drop == length ? null : entry.History![drop..];
        entry.CompactedBelowRevision = entry.History is null ? entry.Current.Revision : entry.History[0].Revision;
    }

    /// <summary>When the entry next has something to collect (history past the window, an old tombstone), if ever.</summary>
    private long GcDueOf(KeyValueEntry entry)
    {
        if (entry.HistoryLength > 0)
        {
            return SaturatingAdd(entry.SupersededAt(0), _options.HistoryRetentionMs);
        }

        return entry.Current.IsTombstone
            ? SaturatingAdd(entry.Current.ModifiedAtMs, _options.HistoryRetentionMs)
            : KeyValueEntry.NotScheduled;
    }

    /// <summary>
    /// Keeps the garbage index in step after a change to the entry. A due time that moved later (every overwrite
    /// of a key at its version cap does that) leaves the earlier index entry where it is: a sorted-set removal and
    /// insertion per write was ~6 % of a node's CPU under a stream of overwrites, and a key written many times within
    /// the retention window now moves once per window instead (see <see cref="CollectGarbage"/> for why the visits
    /// stay exact).
    /// </summary>
    private void Reschedule(string key, KeyValueEntry entry)
    {
        var due = GcDueOf(entry);
        if (entry.GcDueAtMs != KeyValueEntry.NotScheduled && (due == KeyValueEntry.NotScheduled || due >= entry.GcDueAtMs))
        {
            return;
        }

        MoveInIndex(key, entry, due);
    }

    /// <summary>Indexes the entry exactly under <paramref name="due"/> (or takes it out when nothing is due).</summary>
    private void MoveInIndex(string key, KeyValueEntry entry, long due)
    {
        if (due == entry.GcDueAtMs)
        {
            return;
        }

        if (entry.GcDueAtMs != KeyValueEntry.NotScheduled)
        {
            _garbage.Remove(entry.GcDueAtMs, key);
        }

        entry.GcDueAtMs = due;
        if (due != KeyValueEntry.NotScheduled)
        {
            _garbage.Add(due, key);
        }
    }

    private void RemoveEntry(string key, KeyValueEntry entry)
    {
        _entries.Remove(key);
        _order.Remove(key);
        if (entry.GcDueAtMs != KeyValueEntry.NotScheduled)
        {
            _garbage.Remove(entry.GcDueAtMs, key);
        }

        if (entry.Current.HasExpiry)
        {
            _expiries.Remove(entry.Current.ExpiresAtMs, key);
        }

        CollectedRevision = Math.Max(CollectedRevision, entry.Current.Revision);
    }
}
