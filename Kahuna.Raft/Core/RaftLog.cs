namespace Kahuna.Raft.Core;

/// <summary>
/// A replica's log: a compacted prefix summarised by a boundary (index, term, membership), then the entries
/// after it. Tracks how far the log is persisted (<see cref="Stable"/>), committed and applied, and which
/// membership each configuration entry installs, so a truncation can fall back to the right one.
/// </summary>
internal sealed class RaftLog
{
    private readonly List<LogEntry> _entries = new();
    // Configuration entries still in the log, oldest first, so the membership can be recomputed on truncation.
    private readonly List<LogEntry> _configEntries = new();

    public RaftLog(SnapshotMetadata boundary)
    {
        BoundaryIndex = boundary.Index;
        BoundaryTerm = boundary.Term;
        BoundaryConfiguration = boundary.Configuration;
        Committed = boundary.Index;
        Applied = boundary.Index;
        Stable = boundary.Index;
    }

    /// <summary>The last index covered by the compacted prefix (0 for a log that was never compacted).</summary>
    public long BoundaryIndex { get; private set; }
    public long BoundaryTerm { get; private set; }
    public RaftConfiguration BoundaryConfiguration { get; private set; }

    public long Committed { get; private set; }
    public long Applied { get; private set; }
    /// <summary>Highest index the host has confirmed persisted. Entries above it are handed out in the next Ready.</summary>
    public long Stable { get; private set; }

    public long FirstIndex => BoundaryIndex + 1;
    public long LastIndex => BoundaryIndex + _entries.Count;
    public long LastTerm => _entries.Count == 0 ? BoundaryTerm : _entries[^1].Term;
    public int Count => _entries.Count;

    /// <summary>The membership in force: the newest configuration entry in the log, else the boundary's (thesis §4.1: a server uses the latest configuration in its log, committed or not).</summary>
    public RaftConfiguration Configuration => _configEntries.Count > 0 ? _configEntries[^1].Configuration! : BoundaryConfiguration;

    /// <summary>Index of the newest configuration entry in the log, or 0 when the membership comes from the boundary.</summary>
    public long LastConfigIndex => _configEntries.Count > 0 ? _configEntries[^1].Index : 0;

    public bool TryTerm(long index, out long term)
    {
        if (index == BoundaryIndex) { term = BoundaryTerm; return true; }
        if (index > BoundaryIndex && index <= LastIndex) { term = _entries[(int)(index - FirstIndex)].Term; return true; }
        term = 0;
        return false;
    }

    /// <summary>Term at index, or 0 when the index is beyond the log or compacted away.</summary>
    public long TermOrZero(long index) => TryTerm(index, out var t) ? t : 0;

    public bool MatchTerm(long index, long term) => TryTerm(index, out var t) && t == term;

    public LogEntry Entry(long index) => _entries[(int)(index - FirstIndex)];

    /// <summary>§5.4.1: a candidate's log is at least as up to date as ours if its last term is higher, or equal with an index at least as high.</summary>
    public bool IsUpToDate(long lastIndex, long lastTerm) =>
        lastTerm > LastTerm || (lastTerm == LastTerm && lastIndex >= LastIndex);

    /// <summary>Membership as of an index (the newest configuration entry at or below it).</summary>
    public RaftConfiguration ConfigurationAt(long index)
    {
        for (var i = _configEntries.Count - 1; i >= 0; i--)
            if (_configEntries[i].Index <= index) return _configEntries[i].Configuration!;
        return BoundaryConfiguration;
    }

    /// <summary>Appends entries that directly follow the last one (the leader's own proposals).</summary>
    public void Append(LogEntry entry)
    {
        if (entry.Index != LastIndex + 1)
            throw new InvalidOperationException($"append at {entry.Index} does not follow last index {LastIndex}");
        _entries.Add(entry);
        if (entry.IsConfiguration) _configEntries.Add(entry);
    }

    /// <summary>
    /// Follower side of AppendEntries once (prevIndex, prevTerm) matched: skips entries it already has,
    /// truncates at the first conflicting one (§5.3) and appends the rest. Returns the last new index.
    /// </summary>
    public long AppendFromLeader(long prevIndex, IReadOnlyList<LogEntry> entries)
    {
        var i = 0;
        for (; i < entries.Count; i++)
        {
            var e = entries[i];
            if (e.Index <= BoundaryIndex) continue; // already compacted, hence committed and matching
            if (!TryTerm(e.Index, out var term)) break; // beyond our log
            if (term != e.Term)
            {
                TruncateFrom(e.Index);
                break;
            }
        }
        for (; i < entries.Count; i++)
        {
            if (entries[i].Index <= BoundaryIndex) continue;
            Append(entries[i]);
        }
        return prevIndex + entries.Count;
    }

    private void TruncateFrom(long index)
    {
        if (index <= Committed)
            throw new RaftSafetyException($"attempt to truncate committed entry {index} (commit {Committed})");
        var keep = (int)(index - FirstIndex);
        _entries.RemoveRange(keep, _entries.Count - keep);
        _configEntries.RemoveAll(e => e.Index >= index);
        if (Stable >= index) Stable = index - 1;
    }

    /// <summary>
    /// Entries in [lo, hi) up to maxBytes (always at least one). The caller must have checked lo is not compacted.
    /// </summary>
    public List<LogEntry> Slice(long lo, long hi, long maxBytes)
    {
        var result = new List<LogEntry>();
        long bytes = 0;
        for (var i = lo; i < hi; i++)
        {
            var e = _entries[(int)(i - FirstIndex)];
            bytes += e.Size;
            if (result.Count > 0 && bytes > maxBytes) break;
            result.Add(e);
        }
        return result;
    }

    public List<LogEntry> UnstableEntries()
    {
        var from = Stable + 1;
        if (from > LastIndex) return [];
        return _entries.GetRange((int)(from - FirstIndex), (int)(LastIndex - from + 1));
    }

    public void StableTo(long index, long term)
    {
        if (index > Stable && MatchTerm(index, term)) Stable = index;
    }

    public void CommitTo(long index)
    {
        if (index <= Committed) return;
        if (index > LastIndex)
            throw new RaftSafetyException($"commit index {index} is beyond last index {LastIndex}");
        Committed = index;
    }

    public bool HasNextCommitted => Committed > Applied && Applied >= BoundaryIndex;

    public List<LogEntry> NextCommitted(long maxBytes) =>
        HasNextCommitted ? Slice(Applied + 1, Committed + 1, maxBytes) : [];

    public void AppliedTo(long index)
    {
        if (index < Applied || index > Committed)
            throw new InvalidOperationException($"applied {index} out of range [{Applied}, {Committed}]");
        Applied = index;
    }

    /// <summary>Discards entries up to index (inclusive); they are covered by a snapshot the host holds.</summary>
    public void CompactTo(long index)
    {
        if (index <= BoundaryIndex) return;
        if (index > Applied) throw new InvalidOperationException($"cannot compact {index} beyond applied {Applied}");
        var config = ConfigurationAt(index);
        var term = TermOrZero(index);
        var drop = (int)(index - BoundaryIndex);
        _entries.RemoveRange(0, drop);
        _configEntries.RemoveAll(e => e.Index <= index);
        BoundaryIndex = index;
        BoundaryTerm = term;
        BoundaryConfiguration = config;
    }

    /// <summary>Replaces the whole log with a snapshot's boundary (a follower installing a leader's snapshot).</summary>
    public void RestoreSnapshot(SnapshotMetadata snapshot)
    {
        _entries.Clear();
        _configEntries.Clear();
        BoundaryIndex = snapshot.Index;
        BoundaryTerm = snapshot.Term;
        BoundaryConfiguration = snapshot.Configuration;
        Committed = snapshot.Index;
        Stable = snapshot.Index;
    }

    /// <summary>After a snapshot restore is handed to the host, applied jumps to its index.</summary>
    public void AppliedSnapshot(long index)
    {
        if (index > Applied) Applied = index;
    }

    /// <summary>
    /// Term-based conflict search (etcd's findConflictByTerm): the largest index ≤ index whose term is ≤ term,
    /// so one rejection can skip every entry of a term the other side does not have.
    /// </summary>
    public long FindConflictByTerm(long index, long term)
    {
        for (; index > BoundaryIndex; index--)
        {
            if (TryTerm(index, out var t) && t <= term) return index;
        }
        return index;
    }
}

/// <summary>Thrown when an operation would break a Raft safety property; it means a bug, never a normal outcome.</summary>
public sealed class RaftSafetyException(string message) : Exception(message);
