namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    // Proposals are sent out once per Ready, so a burst of proposals becomes one append per follower. A commit
    // advance alone sends nothing: the next append or heartbeat carries it (followers only need it to apply, and
    // under load an append follows at once), which halves the messages of a busy group compared with etcd's
    // immediate empty append.
    private bool _appendBroadcastPending;

    /// <summary>Proposes a command. On success it is in the leader's log at the returned (index, term); it takes effect only if that entry commits.</summary>
    public ProposeResult Propose(ReadOnlyMemory<byte> data)
    {
        var refusal = RefuseProposal();
        if (refusal is { } r) return r;
        var entry = AppendAsLeader(data, null);
        return new ProposeResult(ProposeStatus.Accepted, entry.Index, entry.Term, Id);
    }

    private ProposeResult? RefuseProposal()
    {
        if (_role != RaftRole.Leader) return new ProposeResult(ProposeStatus.NotLeader, 0, 0, _leader);
        if (_transferTarget is not null) return new ProposeResult(ProposeStatus.TransferInProgress, 0, 0, _transferTarget);
        if (_uncommittedBytes > _options.MaxUncommittedBytes) return new ProposeResult(ProposeStatus.Overloaded, 0, 0, Id);
        return null;
    }

    private LogEntry AppendAsLeader(ReadOnlyMemory<byte> data, RaftConfiguration? configuration)
    {
        var entry = new LogEntry(_log.LastIndex + 1, _term, data, configuration);
        _log.Append(entry);
        _uncommittedBytes += entry.Size;
        if (configuration is not null) ApplyConfigurationToProgress();
        _appendBroadcastPending = true;
        // A lone voter commits as soon as the entry is persisted (see Advance).
        return entry;
    }

    private void FlushBroadcasts()
    {
        if (_role != RaftRole.Leader)
        {
            _appendBroadcastPending = false;
            _readBroadcastPending = false;
            return;
        }
        if (_readBroadcastPending)
        {
            _readBroadcastPending = false;
            BroadcastHeartbeat(withAppends: _appendBroadcastPending);
            // Every follower got its append (or, with nothing to send, a heartbeat) just now.
            _appendBroadcastPending = false;
        }
        if (_appendBroadcastPending)
        {
            _appendBroadcastPending = false;
            foreach (var id in _progress.Keys)
                if (id != Id) SendAppend(id, sendIfEmpty: false);
        }
    }

    private void BroadcastAppend()
    {
        foreach (var id in _progress.Keys)
            if (id != Id) SendAppend(id, sendIfEmpty: true);
    }

    /// <summary>Sends the next entries (or a snapshot when they were compacted) to one follower, respecting flow control.</summary>
    private bool SendAppend(string to, bool sendIfEmpty, long readContext = 0)
    {
        var pr = _progress[to];
        if (pr.IsPaused) return false;
        var prevIndex = pr.Next - 1;
        if (prevIndex < _log.BoundaryIndex || !_log.TryTerm(prevIndex, out var prevTerm))
        {
            // The entries it needs are gone: ship the newest snapshot instead (§7).
            var snapshot = ShippableSnapshot();
            Send(new SnapshotRequest(Id, to, _term, snapshot, ReadOnlyMemory<byte>.Empty));
            pr.BecomeSnapshot(snapshot.Index);
            return true;
        }
        IReadOnlyList<LogEntry> entries = pr.Next <= _log.LastIndex
            ? _log.Slice(pr.Next, _log.LastIndex + 1, _options.MaxBytesPerAppend)
            : Ready.NoEntries;
        if (entries.Count == 0 && !sendIfEmpty) return false;
        Send(new AppendRequest(Id, to, _term, prevIndex, prevTerm, entries, _log.Committed, readContext));
        pr.SentEntries(entries.Count, entries.Count > 0 ? entries[^1].Index : prevIndex);
        return true;
    }

    // (last index, commit index) when the last heartbeat round went out. While the log has not moved since, that
    // round told every follower the commit index (a follower's heartbeat carries what it is known to hold).
    private (long LastIndex, long Committed) _heartbeatMark = (-1, -1);

    /// <summary>Ticks between heartbeats now: the quiet interval while nothing is under way (see <see cref="IsQuiet"/>).</summary>
    private int HeartbeatInterval => IsQuiet ? _options.QuietHeartbeatTicks : _options.HeartbeatTicks;

    /// <summary>
    /// Nothing under way in the group (<see cref="RaftOptions.QuietHeartbeatTicks"/>): every follower holds the whole
    /// log and is being replicated to, all of it is committed, the last heartbeat carried that, and no read or leader
    /// transfer waits for an answer. A proposal, a read or a lagging follower ends it at once.
    /// </summary>
    private bool IsQuiet
    {
        get
        {
            if (_options.QuietHeartbeatTicks <= _options.HeartbeatTicks) return false;
            if (_pendingReads.Count > 0 || _transferTarget is not null) return false;
            if (_log.Committed != _log.LastIndex || _heartbeatMark != (_log.LastIndex, _log.Committed)) return false;
            foreach (var (id, pr) in _progress)
                if (id != Id && (pr.Match != _log.LastIndex || pr.State != ProgressState.Replicate)) return false;
            return true;
        }
    }

    /// <summary>
    /// Starts a heartbeat round. With <paramref name="withAppends"/>, a follower that is due new entries gets the
    /// round's context on its append instead of a heartbeat of its own: the answer to either proves leadership.
    /// </summary>
    private void BroadcastHeartbeat(bool withAppends = false)
    {
        // Each round gets a fresh context: an acknowledgement of it proves leadership after every read registered before it.
        var context = ++_readSeq;
        _heartbeatRounds.Enqueue((context, _ticks));
        _heartbeatMark = (_log.LastIndex, _log.Committed);
        foreach (var (id, pr) in _progress)
        {
            if (id == Id) continue;
            // (A follower sent a snapshot instead, whose answer carries no context, still gets the heartbeat.)
            if (withAppends && SendAppend(id, sendIfEmpty: false, context) && pr.State != ProgressState.Snapshot) continue;
            // Only what the follower is known to hold may be marked committed on it.
            var commit = Math.Min(pr.Match, _log.Committed);
            Send(new HeartbeatRequest(Id, id, _term, commit, context, _log.TermOrZero(commit)));
        }
    }

    private void StepLeader(RaftMessage m)
    {
        switch (m)
        {
            case AppendResponse r: HandleAppendResponse(r); break;
            case HeartbeatResponse h: HandleHeartbeatResponse(h); break;
        }
    }

    private void HandleAppendResponse(AppendResponse r)
    {
        if (!_progress.TryGetValue(r.From, out var pr)) return;
        pr.RecentActive = true;
        // Any answer of this term to a request that carried a read round's context acknowledges that round.
        AcknowledgeReadRound(pr, r.ReadContext);
        if (!r.Success)
        {
            var probe = r.HintTerm > 0 ? _log.FindConflictByTerm(r.RejectHint, r.HintTerm) : r.RejectHint;
            if (pr.MaybeDecreaseTo(r.Index, probe))
            {
                if (pr.State == ProgressState.Replicate) pr.BecomeProbe();
                SendAppend(r.From, sendIfEmpty: true);
            }
            return;
        }
        var wasPaused = pr.IsPaused;
        if (!pr.MaybeUpdate(r.Index)) return;
        switch (pr.State)
        {
            case ProgressState.Probe:
                pr.BecomeReplicate();
                break;
            case ProgressState.Snapshot when pr.Match + 1 >= _log.FirstIndex:
                pr.BecomeProbe();
                pr.BecomeReplicate();
                break;
            case ProgressState.Replicate:
                pr.Inflights.FreeTo(r.Index);
                break;
        }
        if (MaybeCommit())
        {
            if (_role != RaftRole.Leader) return; // it committed its own removal and stepped down
        }
        else if (wasPaused)
        {
            SendAppend(r.From, sendIfEmpty: true);
        }
        // Keep the pipeline full while there is more to send.
        while (SendAppend(r.From, sendIfEmpty: false)) { }
        if (r.From == _transferTarget && pr.Match == _log.LastIndex)
            Send(new TimeoutNowRequest(Id, r.From, _term));
    }

    private void HandleHeartbeatResponse(HeartbeatResponse h)
    {
        if (!_progress.TryGetValue(h.From, out var pr)) return;
        pr.RecentActive = true;
        pr.ProbeSent = false;
        // The follower lost entries it had acknowledged: replicate again from its commit index (see HeartbeatResponse).
        if (h.Rewind >= 0 && h.Rewind < pr.Match) pr.RewindTo(h.Rewind);
        if (pr.State == ProgressState.Replicate && pr.Inflights.Full) pr.Inflights.FreeFirst();
        if (pr.Match < _log.LastIndex) SendAppend(h.From, sendIfEmpty: true);
        // A transfer target that answers a heartbeat still follows us, so a TimeoutNow went missing (or reached it
        // while it was briefly a pre-candidate, which ignores it): ask again; the transfer's deadline still bounds it.
        else if (h.From == _transferTarget) Send(new TimeoutNowRequest(Id, h.From, _term));
        AcknowledgeReadRound(pr, h.ReadContext);
    }

    private void AcknowledgeReadRound(Progress pr, long context)
    {
        if (context <= pr.ReadAck) return;
        pr.ReadAck = context;
        ReleaseConfirmedReads();
    }

    /// <summary>§5.3/§5.4.2: commit the highest index a quorum of voters holds, but only by counting entries of our own term.</summary>
    private bool MaybeCommit()
    {
        var config = _log.Configuration;
        var index = Quorum.CommittedIndex(config.Voters,
            v => v == Id ? _log.Stable : _progress.TryGetValue(v, out var p) ? p.Match : 0);
        if (index <= _log.Committed || _log.TermOrZero(index) != _term) return false;
        var previous = _log.Committed;
        _log.CommitTo(index);
        for (var i = previous + 1; i <= index; i++)
        {
            if (i <= _log.BoundaryIndex) continue;
            var e = _log.Entry(i);
            if (e.Term == _term) _uncommittedBytes = Math.Max(0, _uncommittedBytes - e.Size);
        }
        OnLeaderCommitted(previous);
        return true;
    }

    private void OnLeaderCommitted(long previousCommit)
    {
        if (_log.TermOrZero(previousCommit) != _term) RegisterReadsAwaitingTermCommit();
        // A leader removed from the group leads until that removal commits, then steps down (thesis §4.2.2),
        // handing over to the most up-to-date voter so the group does not wait for an election timeout.
        if (!_log.Configuration.IsVoter(Id) && _log.LastConfigIndex <= _log.Committed)
        {
            var successor = _log.Configuration.Voters
                .Where(v => _progress.ContainsKey(v))
                .OrderByDescending(v => _progress[v].Match)
                .FirstOrDefault();
            if (successor is not null && _progress[successor].Match == _log.LastIndex)
                Send(new TimeoutNowRequest(Id, successor, _term));
            BecomeFollower(_term, null);
        }
    }
}
