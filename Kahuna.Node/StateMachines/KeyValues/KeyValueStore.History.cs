namespace Kahuna.Node.StateMachines.KeyValues;

public sealed partial class KeyValueStore
{
    /// <summary>
    /// Drops history that is past its window and removes tombstones older than the window: at most
    /// <paramref name="budget"/> keys per call, so a command's apply time stays bounded. Deterministic: the
    /// order of due keys is total, and time is the caller's. Returns how many keys it visited.
    /// </summary>
    public int CollectGarbage(long nowMs, int budget)
    {
        var visited = 0;
        while (visited < budget && _garbage.TryPeekDue(nowMs, out var key))
        {
            visited++;
            var entry = _entries[key];
            TrimHistory(entry, nowMs);
            if (entry.Current.IsTombstone && entry.HistoryLength == 0
                && SaturatingAdd(entry.Current.ModifiedAtMs, _options.HistoryRetentionMs) <= nowMs)
            {
                RemoveEntry(key, entry);
            }
            else
            {
                Reschedule(key, entry);
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

    /// <summary>Puts the entry in the garbage index under its next due time (or takes it out when nothing is due).</summary>
    private void Reschedule(string key, KeyValueEntry entry)
    {
        var due = KeyValueEntry.NotScheduled;
        if (entry.HistoryLength > 0)
        {
            due = SaturatingAdd(entry.SupersededAt(0), _options.HistoryRetentionMs);
        }
        else if (entry.Current.IsTombstone)
        {
            due = SaturatingAdd(entry.Current.ModifiedAtMs, _options.HistoryRetentionMs);
        }

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
