namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    /// <summary>True when there is something to persist, send, apply or serve. Only meaningful after Advance.</summary>
    public bool HasReady()
    {
        if (_readyOutstanding) return false;
        return _messages.Count > 0
               || _readStates.Count > 0
               || _log.Stable < _log.LastIndex
               || _pendingSnapshot is not null
               || _log.HasNextCommitted
               || CurrentHardState != _lastHardState
               || CurrentSoftState != _lastSoftState
               || (_role == RaftRole.Leader && (_appendBroadcastPending || _readBroadcastPending));
    }

    /// <summary>Collects the work for the host (see <see cref="Ready"/> for the order to do it in). Call <see cref="Advance"/> when done.</summary>
    public Ready GetReady()
    {
        if (_readyOutstanding) throw new InvalidOperationException("Advance the previous Ready first");
        FlushBroadcasts();
        var hard = CurrentHardState;
        var soft = CurrentSoftState;
        // Thesis §10.2.1: a leader may send before its own write is durable, provided what it sends carries a term
        // (and vote) already on disk; a lone voter that just elected itself has not written its new term yet.
        var mayGoFirst = _role == RaftRole.Leader && soft == _lastSoftState && TermAndVoteDurable;
        var entries = _log.UnstableEntries();
        var snapshot = _pendingSnapshot;
        var mustSync = entries.Count > 0 || snapshot is not null ||
                       hard.Term != _lastHardState.Term || hard.VotedFor != _lastHardState.VotedFor;
        var committed = snapshot is null ? _log.NextCommitted(_options.MaxCommittedBytesPerReady) : Ready.NoEntries;
        var ready = new Ready
        {
            SoftState = soft != _lastSoftState ? soft : null,
            HardState = hard != _lastHardState ? hard : null,
            Entries = entries,
            Snapshot = snapshot,
            CommittedEntries = committed,
            DurableCommittedCount = CountDurable(committed, entries),
            Messages = _messages,
            ReadStates = _readStates,
            MustSync = mustSync,
            MessagesMayGoFirst = mayGoFirst,
        };
        _messages = new List<RaftMessage>();
        _readStates = new List<ReadState>();
        _lastHardState = hard;
        _lastSoftState = soft;
        _pendingSnapshot = null;
        _readyOutstanding = true;
        return ready;
    }

    /// <summary>Tells the core the host has persisted, sent and applied everything in <paramref name="ready"/>.</summary>
    public void Advance(Ready ready)
    {
        if (!_readyOutstanding) throw new InvalidOperationException("No Ready is outstanding");
        _readyOutstanding = false;
        if (ready.HardState is { } hs) (_durableTerm, _durableVote) = (hs.Term, hs.VotedFor);
        if (ready.Snapshot is { } snapshot) _log.AppliedSnapshot(snapshot.Metadata.Index);
        if (ready.Entries.Count > 0)
        {
            var last = ready.Entries[^1];
            _log.StableTo(last.Index, last.Term);
        }
        if (ready.CommittedEntries.Count > 0) _log.AppliedTo(ready.CommittedEntries[^1].Index);
        // The leader counts itself only for what it has persisted; that may now complete a quorum.
        if (_role == RaftRole.Leader) MaybeCommit();
    }

    /// <summary>Leading committed entries at or below the persisted index and below any entry this Ready rewrites.</summary>
    private int CountDurable(IReadOnlyList<LogEntry> committed, IReadOnlyList<LogEntry> entries)
    {
        var limit = entries.Count > 0 ? Math.Min(_log.Stable, entries[0].Index - 1) : _log.Stable;
        var count = 0;
        while (count < committed.Count && committed[count].Index <= limit) count++;
        return count;
    }

    private bool TermAndVoteDurable => _term == _durableTerm && _votedFor == _durableVote;
}
