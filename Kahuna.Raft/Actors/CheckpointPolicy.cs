namespace Kahuna.Raft.Actors;

/// <summary>When a replica takes its next checkpoint (see snapshot-* in reference.conf).</summary>
public static class CheckpointPolicy
{
    /// <param name="entries">Entries applied since the last checkpoint.</param>
    /// <param name="bytes">Their bytes.</param>
    /// <param name="lastCheckpointBytes">Size of the state in the last checkpoint (0 when there is none).</param>
    public static bool IsDue(RaftSettings s, long entries, long bytes, long lastCheckpointBytes)
    {
        if (entries >= Math.Max(s.SnapshotMaxEntries, s.SnapshotEveryEntries)) return true;
        if (entries < s.SnapshotEveryEntries && bytes < s.SnapshotEveryBytes) return false;
        // Re-serializing a big state costs its size: wait until the log has grown by a fraction of it.
        return bytes >= s.SnapshotGrowthRatio * lastCheckpointBytes;
    }
}
