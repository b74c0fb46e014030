using MessagePack;

namespace Kahuna.Node.StateMachines.KeyValues;

public sealed partial class KeyValueStore
{
    /// <summary>The whole store as plain data, keys in ordinal order (so equal stores give equal bytes).</summary>
    public KeyValueStoreSnapshot ToSnapshot() => ToSnapshot(_order.EnumerateAll());

    /// <summary>Replaces the whole state with <paramref name="snapshot"/>.</summary>
    public void LoadSnapshot(KeyValueStoreSnapshot snapshot)
    {
        _entries.Clear();
        _order.Clear();
        _expiries.Clear();
        _garbage.Clear();
        CurrentRevision = snapshot.CurrentRevision;
        CollectedRevision = snapshot.CollectedRevision;
        foreach (var saved in snapshot.Entries)
        {
            var versions = saved.Versions;
            var entry = new KeyValueEntry(ToVersion(versions[^1]))
            {
                History = versions.Length > 1 ? versions[..^1].Select(ToVersion).ToArray() : null,
                CompactedBelowRevision = saved.CompactedBelowRevision,
            };
            Add(saved.Key, entry);
        }
    }

    /// <summary>
    /// Seam for partition splits: moves the keys whose hash is in [<paramref name="firstHash"/>,
    /// <paramref name="lastHash"/>] to a new store with the same options. The new store gets this store's revision
    /// counters, so revisions keep increasing in both children.
    /// </summary>
    public KeyValueStore SplitOff(Func<string, ulong> hash, ulong firstHash, ulong lastHash)
    {
        var moving = _order.EnumerateAll().Where(key => hash(key) is var h && h >= firstHash && h <= lastHash).ToList();
        var child = new KeyValueStore(_options);
        child.LoadSnapshot(ToSnapshot(moving));
        foreach (var key in moving)
        {
            var entry = _entries[key];
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
        }

        return child;
    }

    private KeyValueStoreSnapshot ToSnapshot(IEnumerable<string> orderedKeys)
    {
        var entries = new List<KeyValueSnapshotEntry>(_entries.Count);
        foreach (var key in orderedKeys)
        {
            var entry = _entries[key];
            var versions = new KeyValueSnapshotVersion[entry.HistoryLength + 1];
            for (var index = 0; index < entry.HistoryLength; index++)
            {
                versions[index] = ToSnapshotVersion(entry.History![index]);
            }

            versions[^1] = ToSnapshotVersion(entry.Current);
            entries.Add(new KeyValueSnapshotEntry(key, versions, entry.CompactedBelowRevision));
        }

        return new KeyValueStoreSnapshot(CurrentRevision, CollectedRevision, entries.ToArray());
    }

    private void Add(string key, KeyValueEntry entry)
    {
        _entries.Add(key, entry);
        _order.Add(key);
        if (entry.Current.HasExpiry)
        {
            _expiries.Add(entry.Current.ExpiresAtMs, key);
        }

        Reschedule(key, entry);
    }

    private static KeyValueSnapshotVersion ToSnapshotVersion(KeyValueVersion version) =>
        new(version.Value, version.Revision, version.ExpiresAtMs, version.ModifiedAtMs);

    private static KeyValueVersion ToVersion(KeyValueSnapshotVersion saved) =>
        new(saved.Value, saved.Revision, saved.ExpiresAtMs, saved.ModifiedAtMs);
}

/// <summary>Snapshot of a <see cref="KeyValueStore"/>. Part of the on-disk snapshot format: keys are append only.</summary>
[MessagePackObject]
public sealed record KeyValueStoreSnapshot(
    [property: Key(0)] long CurrentRevision,
    [property: Key(1)] long CollectedRevision,
    [property: Key(2)] KeyValueSnapshotEntry[] Entries);

/// <summary>One key: its versions oldest first, the current one last (never empty).</summary>
[MessagePackObject]
public sealed record KeyValueSnapshotEntry(
    [property: Key(0)] string Key,
    [property: Key(1)] KeyValueSnapshotVersion[] Versions,
    [property: Key(2)] long CompactedBelowRevision);

/// <summary>One version of a key; a null value is a tombstone.</summary>
[MessagePackObject]
public sealed record KeyValueSnapshotVersion(
    [property: Key(0)] byte[]? Value,
    [property: Key(1)] long Revision,
    [property: Key(2)] long ExpiresAtMs,
    [property: Key(3)] long ModifiedAtMs);
