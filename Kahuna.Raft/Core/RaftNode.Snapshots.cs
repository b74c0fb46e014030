namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    /// <summary>
    /// Metadata for a snapshot the host is about to take of its state machine at <paramref name="index"/> (≤ applied),
    /// or null when that is not possible now: the index is compacted, or a snapshot from the leader is about to
    /// replace the state machine.
    /// </summary>
    public SnapshotMetadata? SnapshotMetadataAt(long index)
    {
        if (index > _log.Applied) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is beyond applied {_log.Applied}");
        if (_pendingSnapshot is not null || _log.Applied < _log.BoundaryIndex) return null;
        if (!_log.TryTerm(index, out var term)) return null;
        return new SnapshotMetadata(index, term, _log.ConfigurationAt(index));
    }

    /// <summary>The host has durably saved a snapshot; from now on it is the one shipped to followers that fell behind.</summary>
    public void SnapshotSaved(SnapshotMetadata snapshot)
    {
        if (snapshot.Index > _latestSnapshot.Index) _latestSnapshot = snapshot;
    }

    /// <summary>Discards log entries up to <paramref name="index"/>, which must be covered by a saved snapshot.</summary>
    public void CompactLog(long index)
    {
        if (index <= _log.BoundaryIndex) return; // already gone (DiscardApplied may have gone further)
        if (index > _latestSnapshot.Index)
            throw new ArgumentOutOfRangeException(nameof(index), $"{index} is beyond the saved snapshot {_latestSnapshot.Index}");
        _log.CompactTo(index);
    }

    /// <summary>
    /// Drops applied entries up to <paramref name="index"/> from memory although no saved snapshot covers them yet.
    /// Only for a host that can ship a snapshot of its applied state whenever a follower needs one (the actor shell
    /// makes a fresh one): a replica that later leads and finds a follower needing entries below its log's boundary
    /// names a snapshot at least as new as that boundary (<see cref="ShippableSnapshot"/>). The entries stay in the
    /// host's journal until its next checkpoint, so recovery is unaffected.
    /// </summary>
    public void DiscardApplied(long index)
    {
        if (index > _log.Applied) throw new ArgumentOutOfRangeException(nameof(index), $"{index} is beyond applied {_log.Applied}");
        _log.CompactTo(index);
    }

    /// <summary>
    /// Keeps only a short tail of applied entries in memory (<see cref="DiscardApplied"/>'s conditions apply): a
    /// follower drops what it applied, a leader what it applied and every replica of the group holds, keeping the last
    /// <paramref name="retain"/>. It drops in steps of <paramref name="retain"/>, so the in-memory log shifts its
    /// remaining entries once per that many applied. 0 keeps everything.
    /// </summary>
    public void DiscardAppliedKeeping(long retain)
    {
        if (retain <= 0) return;
        var upTo = IsLeader ? Math.Min(AppliedIndex, MatchedByAll) : AppliedIndex;
        if (upTo - (FirstIndex - 1) > 2 * retain) DiscardApplied(upTo - retain);
    }

    /// <summary>
    /// On the leader, the highest index every replica of the group (learners included) is known to hold; 0 on any
    /// other replica. Entries up to it are needed by no one in the group as long as its members do not lose storage
    /// (one that did is sent a snapshot, see <see cref="ShippableSnapshot"/>).
    /// </summary>
    public long MatchedByAll
    {
        get
        {
            if (_role != RaftRole.Leader) return 0;
            var min = long.MaxValue;
            foreach (var (id, pr) in _progress) min = Math.Min(min, id == Id ? _log.Stable : pr.Match);
            return min == long.MaxValue ? 0 : min;
        }
    }

    /// <summary>What a follower that needs compacted entries is sent: the saved snapshot, or the log's boundary if newer.</summary>
    private SnapshotMetadata ShippableSnapshot() =>
        _latestSnapshot.Index >= _log.BoundaryIndex
            ? _latestSnapshot
            : new SnapshotMetadata(_log.BoundaryIndex, _log.BoundaryTerm, _log.BoundaryConfiguration);

    /// <summary>The host reports whether a snapshot it was asked to send reached the follower.</summary>
    public void ReportSnapshotStatus(string to, bool delivered)
    {
        if (_role != RaftRole.Leader || !_progress.TryGetValue(to, out var pr) || pr.State != ProgressState.Snapshot) return;
        if (!delivered) pr.SnapshotFailed();
        pr.BecomeProbe();
        // Wait for the follower's answer (or a heartbeat) before probing again.
        pr.ProbeSent = true;
    }

    /// <summary>An entry still in memory (tests and the host's diagnostics); null when compacted or beyond the log.</summary>
    internal LogEntry? EntryAt(long index) =>
        index > _log.BoundaryIndex && index <= _log.LastIndex ? _log.Entry(index) : null;

    /// <summary>The host could not reach a replica: stop streaming to it optimistically.</summary>
    public void ReportUnreachable(string to)
    {
        if (_role != RaftRole.Leader || !_progress.TryGetValue(to, out var pr)) return;
        if (pr.State == ProgressState.Replicate) pr.BecomeProbe();
    }
}
