namespace Kahuna.Raft.Core;

public sealed partial class RaftNode
{
    /// <summary>
    /// Proposes a one-replica membership change. Membership takes effect as soon as the entry is in a log
    /// (thesis §4.1), so at most one change may be uncommitted at a time, and a leader must first commit an
    /// entry of its own term (the fix to the single-server change bug, thesis §4.1 erratum).
    /// </summary>
    public ProposeResult ProposeConfigChange(ConfigChange change, out string? error)
    {
        error = null;
        var refusal = RefuseProposal();
        if (refusal is { } r) return r;
        if (_pendingConfigIndex > _log.Committed || _log.LastConfigIndex > _log.Committed)
        {
            error = "another membership change is not yet committed";
            return new ProposeResult(ProposeStatus.Rejected, 0, 0, Id);
        }
        if (_log.TermOrZero(_log.Committed) != _term)
        {
            error = "the leader has not yet committed an entry of its term";
            return new ProposeResult(ProposeStatus.Rejected, 0, 0, Id);
        }
        if (!_log.Configuration.TryApply(change, out var next, out error))
            return new ProposeResult(ProposeStatus.Rejected, 0, 0, Id);
        var entry = AppendAsLeader(ReadOnlyMemory<byte>.Empty, next);
        _pendingConfigIndex = entry.Index;
        return new ProposeResult(ProposeStatus.Accepted, entry.Index, entry.Term, Id);
    }

    /// <summary>Keeps the leader's per-replica progress in line with the membership in its log.</summary>
    private void ApplyConfigurationToProgress()
    {
        var config = _log.Configuration;
        foreach (var member in config.Members)
        {
            if (_progress.TryGetValue(member, out var p))
            {
                p.IsLearner = config.IsLearner(member);
                continue;
            }
            _progress[member] = NewProgress(member);
            // Probe a new member at once so its catch-up starts now, not at the next heartbeat answer.
            if (member != Id) SendAppend(member, sendIfEmpty: true);
        }
        foreach (var id in _progress.Keys.Where(id => !config.Contains(id)).ToList())
            _progress.Remove(id);
        if (_transferTarget is not null && !config.IsVoter(_transferTarget)) _transferTarget = null;
    }

    /// <summary>
    /// Hands leadership to another voter (thesis §3.10): stop taking proposals, bring the target up to date, then
    /// tell it to campaign at once. Abandoned if it has not happened within an election timeout.
    /// </summary>
    public bool TransferLeadership(string target)
    {
        if (_role != RaftRole.Leader || target == Id || !_log.Configuration.IsVoter(target)) return false;
        if (_transferTarget == target) return true;
        _transferTarget = target;
        _leaseSuspended = true;
        _electionElapsed = 0;
        var pr = _progress[target];
        if (pr.Match == _log.LastIndex) Send(new TimeoutNowRequest(Id, target, _term));
        else SendAppend(target, sendIfEmpty: true);
        return true;
    }

    public string? TransferTarget => _transferTarget;
}
