namespace Kahuna.Raft.Core;

/// <summary>Answer to a ReadIndex request: the context that a later <see cref="ReadState"/> will carry.</summary>
public readonly record struct ReadIndexResult(bool Accepted, long Context, string? LeaderHint);

public sealed partial class RaftNode
{
    private readonly List<long> _readsAwaitingTermCommit = new();
    private readonly List<ReadState> _pendingReads = new();
    private List<ReadState> _readStates = new();
    private long _readSeq;
    private bool _readBroadcastPending;
    // Heartbeat rounds not yet confirmed: (context, tick sent). The newest confirmed one anchors the lease.
    private readonly Queue<(long Context, long SentTick)> _heartbeatRounds = new();
    private long _leaseAnchorTick = long.MinValue;
    private bool _leaseSuspended;

    /// <summary>
    /// No other leader can be elected before every follower that acknowledged a round sent at tick s has gone
    /// ElectionTicks without hearing from us, so the lease runs until s + ElectionTicks - margin (on our ticks).
    /// A transfer hands leadership over without that wait, so it ends the lease for the rest of the term.
    /// </summary>
    private bool LeaseValid =>
        !_leaseSuspended && _ticks < _leaseAnchorTick + _options.ElectionTicks - _options.LeaseMarginTicks;

    /// <summary>
    /// Asks for a linearizable read (thesis §6.4). When a quorum has confirmed this replica is still leader (or at
    /// once under the lease), a <see cref="ReadState"/> with the returned context appears in a Ready; the read may
    /// be served when the state machine has applied its index. Reads asked in one burst share one heartbeat round.
    /// </summary>
    public ReadIndexResult ReadIndex()
    {
        if (_role != RaftRole.Leader) return new ReadIndexResult(false, 0, _leader);
        var context = ++_readSeq;
        // A new leader does not know the commit index until it has committed an entry of its own term (§6.4 step 1).
        if (_log.TermOrZero(_log.Committed) != _term) _readsAwaitingTermCommit.Add(context);
        else RegisterRead(context);
        return new ReadIndexResult(true, context, Id);
    }

    private void RegisterRead(long context)
    {
        if (IsSoleVoter || (_options.ReadMode == ReadMode.LeaseBased && LeaseValid))
        {
            _readStates.Add(new ReadState(context, _log.Committed));
            return;
        }
        _pendingReads.Add(new ReadState(context, _log.Committed));
        _readBroadcastPending = true;
    }

    private void RegisterReadsAwaitingTermCommit()
    {
        foreach (var context in _readsAwaitingTermCommit) RegisterRead(context);
        _readsAwaitingTermCommit.Clear();
    }

    /// <summary>Releases every pending read whose context a quorum of voters has acknowledged in a heartbeat.</summary>
    private void ReleaseConfirmedReads()
    {
        var confirmed = Quorum.CommittedIndex(_log.Configuration.Voters,
            v => v == Id ? long.MaxValue : _progress.TryGetValue(v, out var p) ? p.ReadAck : 0);
        while (_heartbeatRounds.Count > 0 && _heartbeatRounds.Peek().Context <= confirmed)
            _leaseAnchorTick = Math.Max(_leaseAnchorTick, _heartbeatRounds.Dequeue().SentTick);
        if (_pendingReads.Count == 0) return;
        var released = 0;
        while (released < _pendingReads.Count && _pendingReads[released].Context <= confirmed)
        {
            _readStates.Add(_pendingReads[released]);
            released++;
        }
        _pendingReads.RemoveRange(0, released);
    }

    private void ResetReads()
    {
        // Reads in flight are dropped when leadership changes; the host fails them when it sees the role change.
        _readsAwaitingTermCommit.Clear();
        _pendingReads.Clear();
        _readBroadcastPending = false;
        _heartbeatRounds.Clear();
        _leaseAnchorTick = long.MinValue;
        _leaseSuspended = false;
    }
}
