using MessagePack;

namespace Kahuna.Node.StateMachines.Locks;

public sealed partial class LockStore
{
    /// <summary>The whole store as plain data, entries in ordinal resource order (so equal stores give equal bytes).</summary>
    public LockStoreSnapshot ToSnapshot()
    {
        var entries = _locks
            .OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new LockSnapshotEntry(pair.Key, pair.Value.Owner, pair.Value.FencingToken, pair.Value.ExpiresAtMs))
            .ToArray();
        return new LockStoreSnapshot(LastFencingToken, entries);
    }

    /// <summary>Replaces the whole state with <paramref name="snapshot"/>.</summary>
    public void LoadSnapshot(LockStoreSnapshot snapshot)
    {
        _locks.Clear();
        _expiries.Clear();
        LastFencingToken = snapshot.LastFencingToken;
        foreach (var entry in snapshot.Entries)
        {
            _locks.Add(entry.Resource, new LockEntry(entry.Owner, entry.FencingToken, entry.ExpiresAtMs));
            _expiries.Add(entry.ExpiresAtMs, entry.Resource);
        }
    }

    /// <summary>
    /// Seam for partition splits: moves the locks whose resource hash is in [<paramref name="firstHash"/>,
    /// <paramref name="lastHash"/>] to a new store. The new store gets this store's fencing counter, so both
    /// children keep issuing tokens above every token issued so far.
    /// </summary>
    public LockStore SplitOff(Func<string, ulong> hash, ulong firstHash, ulong lastHash)
    {
        var child = new LockStore(LastFencingToken);
        var moving = _locks.Where(pair => hash(pair.Key) is var h && h >= firstHash && h <= lastHash).ToList();
        foreach (var (resource, entry) in moving.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            Remove(resource, entry);
            child._locks.Add(resource, entry);
            child._expiries.Add(entry.ExpiresAtMs, resource);
        }

        return child;
    }
}

/// <summary>Snapshot of a <see cref="LockStore"/>. Part of the on-disk snapshot format: keys are append only.</summary>
[MessagePackObject]
public sealed record LockStoreSnapshot(
    [property: Key(0)] long LastFencingToken,
    [property: Key(1)] LockSnapshotEntry[] Entries);

/// <summary>One held lock in a <see cref="LockStoreSnapshot"/>.</summary>
[MessagePackObject]
public sealed record LockSnapshotEntry(
    [property: Key(0)] string Resource,
    [property: Key(1)] byte[] Owner,
    [property: Key(2)] long FencingToken,
    [property: Key(3)] long ExpiresAtMs);
