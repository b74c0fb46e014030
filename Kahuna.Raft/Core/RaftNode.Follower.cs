namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    private void StepFollower(RaftMessage m)
    {
        switch (m)
        {
            case AppendRequest a:
                HeardFromLeader(a.From);
                HandleAppend(a);
                break;
            case HeartbeatRequest h:
                HeardFromLeader(h.From);
                HandleHeartbeat(h);
                break;
            case SnapshotRequest s:
                HeardFromLeader(s.From);
                HandleSnapshot(s);
                break;
            case TimeoutNowRequest:
                // The leader asks us to take over (thesis §3.10): campaign at once, skipping pre-vote and lease.
                if (Promotable) StartElection(transfer: true);
                break;
        }
    }

    private void HeardFromLeader(string leader)
    {
        _electionElapsed = 0;
        _leader = leader;
        _startupLease = false;
    }

    private void HandleHeartbeat(HeartbeatRequest h)
    {
        var rewind = -1L;
        if (h.Commit > _log.Committed)
        {
            // The leader only names an index it knows we hold. If we do not hold it, or hold a different entry there,
            // our journal lost or rolled back entries we had acknowledged (a disk that lied, a torn tail): commit
            // nothing and ask the leader to resend from our commit index, which agrees with every leader.
            var agrees = h.Commit <= _log.LastIndex && (h.CommitTerm == 0 || _log.MatchTerm(h.Commit, h.CommitTerm));
            if (agrees) _log.CommitTo(h.Commit);
            else rewind = _log.Committed;
        }
        Send(new HeartbeatResponse(Id, h.From, _term, h.ReadContext, rewind));
    }

    private void HandleAppend(AppendRequest a)
    {
        if (a.PrevLogIndex < _log.Committed)
        {
            // Everything up to our commit index already agrees with any leader of this term (§5.4).
            Send(new AppendResponse(Id, a.From, _term, true, _log.Committed, 0, 0, a.ReadContext));
            return;
        }
        if (_log.MatchTerm(a.PrevLogIndex, a.PrevLogTerm))
        {
            var last = _log.AppendFromLeader(a.PrevLogIndex, a.Entries);
            // Only what is known to match the leader may be marked committed.
            _log.CommitTo(Math.Min(a.Commit, last));
            Send(new AppendResponse(Id, a.From, _term, true, last, 0, 0, a.ReadContext));
            return;
        }
        // §5.3 consistency check failed: point the leader at the last entry that might still agree.
        var hint = _log.FindConflictByTerm(Math.Min(a.PrevLogIndex, _log.LastIndex), a.PrevLogTerm);
        Send(new AppendResponse(Id, a.From, _term, false, a.PrevLogIndex, hint, _log.TermOrZero(hint), a.ReadContext));
    }

    private void HandleSnapshot(SnapshotRequest s)
    {
        var meta = s.Metadata;
        if (meta.Index <= _log.Committed)
        {
            Send(new AppendResponse(Id, s.From, _term, true, _log.Committed, 0, 0));
            return;
        }
        if (_log.MatchTerm(meta.Index, meta.Term))
        {
            // We already hold every entry it covers: just learn that they are committed.
            _log.CommitTo(meta.Index);
            Send(new AppendResponse(Id, s.From, _term, true, meta.Index, 0, 0));
            return;
        }
        _log.RestoreSnapshot(meta);
        _pendingSnapshot = new RaftSnapshot(meta, s.Data);
        if (meta.Index > _latestSnapshot.Index) _latestSnapshot = meta;
        // Sent after the host persisted the snapshot (messages always follow persistence).
        Send(new AppendResponse(Id, s.From, _term, true, meta.Index, 0, 0));
    }
}
