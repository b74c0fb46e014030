namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    /// <summary>Starts a pre-vote round (when enabled and not a transfer) or a real election.</summary>
    private void Campaign(bool transfer)
    {
        if (!Promotable) return;
        if (!_options.PreVote || transfer)
        {
            StartElection(transfer);
            return;
        }
        BecomePreCandidate();
        // Our own pre-vote counts first; a lone voter goes straight on to the real election.
        if (RecordVote(Id, true) == Quorum.VoteResult.Won)
        {
            StartElection(transfer: false);
            return;
        }
        foreach (var voter in _log.Configuration.Voters)
        {
            if (voter == Id) continue;
            Send(new VoteRequest(Id, voter, _term + 1, _log.LastIndex, _log.LastTerm, PreVote: true, Transfer: false));
        }
    }

    /// <summary>§5.2: increment the term, vote for ourselves and ask every other voter.</summary>
    private void StartElection(bool transfer)
    {
        BecomeCandidate();
        if (RecordVote(Id, true) == Quorum.VoteResult.Won)
        {
            BecomeLeader();
            return;
        }
        foreach (var voter in _log.Configuration.Voters)
        {
            if (voter == Id) continue;
            Send(new VoteRequest(Id, voter, _term, _log.LastIndex, _log.LastTerm, PreVote: false, transfer));
        }
    }

    private Quorum.VoteResult RecordVote(string from, bool granted)
    {
        _votes.TryAdd(from, granted);
        return Quorum.Tally(_log.Configuration.Voters, _votes);
    }

    private void StepCandidate(RaftMessage m)
    {
        switch (m)
        {
            case AppendRequest or HeartbeatRequest or SnapshotRequest:
                // Someone won this term (its term equals ours, or StepTerm already made us follow a higher one).
                BecomeFollower(m.Term, m.From);
                StepFollower(m);
                return;
            case VoteResponse vr when vr.PreVote == (_role == RaftRole.PreCandidate):
                switch (RecordVote(vr.From, vr.Granted))
                {
                    case Quorum.VoteResult.Won:
                        if (_role == RaftRole.PreCandidate) StartElection(transfer: false);
                        else BecomeLeader();
                        break;
                    case Quorum.VoteResult.Lost:
                        BecomeFollower(_term, null);
                        break;
                }
                return;
        }
    }

    private void Reset(long term)
    {
        if (term != _term)
        {
            _term = term;
            _votedFor = null;
        }
        _leader = null;
        _electionElapsed = 0;
        _heartbeatElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTicks + _options.Random.Next(_options.ElectionTicks);
        _transferTarget = null;
        _votes.Clear();
        _pendingConfigIndex = 0;
        _uncommittedBytes = 0;
        ResetReads();
        _progress.Clear();
    }

    private void BecomeFollower(long term, string? leader)
    {
        Reset(term);
        _leader = leader;
        _role = RaftRole.Follower;
    }

    private void BecomePreCandidate()
    {
        // A pre-candidate keeps its term and vote: it only asks whether it could win.
        _votes.Clear();
        _leader = null;
        _role = RaftRole.PreCandidate;
        _electionElapsed = 0;
        _randomizedElectionTimeout = _options.ElectionTicks + _options.Random.Next(_options.ElectionTicks);
    }

    private void BecomeCandidate()
    {
        Reset(_term + 1);
        _votedFor = Id;
        _role = RaftRole.Candidate;
    }

    private void BecomeLeader()
    {
        _role = RaftRole.Leader;
        _leader = Id;
        _heartbeatElapsed = 0;
        _heartbeatMark = (-1, -1);
        _electionElapsed = 0;
        ResetProgress();
        // No new membership change until everything in our log (which may hold an uncommitted one) commits.
        _pendingConfigIndex = _log.LastIndex;
        TermBeforeLeadership = _log.LastTerm;
        // A no-op of our own term (§5.4.2, §8): committing it commits everything before it and lets reads proceed.
        AppendAsLeader(ReadOnlyMemory<byte>.Empty, null);
        BroadcastAppend();
    }

    private void ResetProgress()
    {
        _progress.Clear();
        foreach (var member in _log.Configuration.Members)
            _progress[member] = NewProgress(member);
    }

    private Progress NewProgress(string member)
    {
        var p = new Progress(_log.LastIndex + 1, _options.MaxInflightAppends, _log.Configuration.IsLearner(member));
        if (member == Id)
        {
            p.Match = _log.Stable;
            p.RecentActive = true;
        }
        return p;
    }

    private bool QuorumRecentlyActive()
    {
        var active = 0;
        foreach (var voter in _log.Configuration.Voters)
        {
            if (voter == Id) { active++; continue; }
            if (_progress.TryGetValue(voter, out var p) && p.RecentActive) active++;
        }
        foreach (var (id, p) in _progress)
            if (id != Id) p.RecentActive = false;
        return active >= _log.Configuration.Quorum;
    }
}
