namespace Kahuna.Node.StateMachines.KeyValues;

/// <summary>One version of a key. A null <see cref="Value"/> is a tombstone (the key was deleted at <see cref="Revision"/>).</summary>
internal readonly record struct KeyValueVersion(byte[]? Value, long Revision, long ExpiresAtMs, long ModifiedAtMs)
{
    public bool IsTombstone => Value is null;

    /// <summary>Present and not expired at <paramref name="nowMs"/> (expired means expiry ≤ now).</summary>
    public bool IsLiveAt(long nowMs) => Value is not null && (ExpiresAtMs == 0 || ExpiresAtMs > nowMs);

    /// <summary>Whether the expiry index holds this version: present with a TTL.</summary>
    public bool HasExpiry => Value is not null && ExpiresAtMs != 0;
}

/// <summary>A key's current version plus its retained history. Kept small: there may be millions.</summary>
internal sealed class KeyValueEntry(KeyValueVersion current)
{
    public const long NotScheduled = long.MinValue;

    public KeyValueVersion Current = current;

    /// <summary>Older versions, oldest first; null when none is retained.</summary>
    public KeyValueVersion[]? History;

    /// <summary>
    /// The time the garbage index holds this entry under: at or before when it next has something to collect
    /// (history to drop, a tombstone to remove). See <c>KeyValueStore.Reschedule</c>.
    /// </summary>
    public long GcDueAtMs = NotScheduled;

    /// <summary>0 while every version of this incarnation of the key is retained; else the oldest revision still known.</summary>
    public long CompactedBelowRevision;

    public int HistoryLength => History?.Length ?? 0;

    /// <summary>When history version <paramref name="index"/> stopped being current.</summary>
    public long SupersededAt(int index) =>
        index + 1 < HistoryLength ? History![index + 1].ModifiedAtMs : Current.ModifiedAtMs;
}
