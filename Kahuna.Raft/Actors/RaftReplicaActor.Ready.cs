using Akka.Event;
using Kahuna.Raft.Core;
using Kahuna.Raft.Persistence;
using Kahuna.Raft.StateMachine;

namespace Kahuna.Raft.Actors;

public sealed partial class RaftReplicaActor
{
    private readonly Dictionary<long, PendingProposal> _proposals = new();
    private readonly Dictionary<long, PendingRead> _reads = new();
    private readonly List<(ReadState State, PendingRead Read)> _readsAwaitingApply = new();
    private HardState _persistedHardState;

    private sealed record PendingProposal(long Term, long ProposedAtTick, Action<object?> OnApplied, Action<ReplicaFailure> OnFailed);
    private sealed record PendingRead(Action OnReadable, Action<ReplicaFailure> OnFailed);

    private void ProcessReadyNow()
    {
        var core = _core!;
        if (_installing is not null || !core.HasReady()) return;
        var rd = core.GetReady();
        if (rd.Snapshot is not null)
        {
            BeginInstall(rd);
            return;
        }
        // Thesis §10.2.1: a leader may send its appends before its own log write is durable, so its fsync overlaps
        // the followers'. It promises nothing by sending them (it counts itself only for what it persisted); the core
        // allows it only under a term and vote already on disk. Votes and acknowledgements still wait for persistence.
        var sendEarly = rd.MessagesMayGoFirst;
        if (sendEarly) Send(rd);
        if (rd.Entries.Count > 0 || rd.MustSync)
        {
            var appliedEarly = sendEarly ? DoBeforeWrite(rd) : 0;
            // One event per Ready: the journal writes the whole batch (and the hard state) in one go.
            Persist(new EntriesAppended(rd.HardState, rd.Entries), _ => AfterPersisted(rd, sent: sendEarly, appliedEarly));
            return;
        }
        AfterPersisted(rd, sent: sendEarly, appliedEarly: 0);
    }

    /// <summary>
    /// What a steady leader's Ready holds that its write adds nothing to: the entries its followers just acknowledged,
    /// committed and already on this disk, and the reads a quorum confirmed. Done now instead of after the write, or
    /// every answer of a busy leader waited for its next fsync as well (etcd's server applies while it writes too).
    /// Only once the Ready's messages have gone: nothing may be sent while the state machine is ahead of the core's
    /// applied index (a snapshot shipped now would not match its metadata). Returns how many entries it applied.
    /// </summary>
    private int DoBeforeWrite(Ready rd)
    {
        var count = rd.DurableCommittedCount;
        for (var i = 0; i < count; i++) Apply(rd.CommittedEntries[i]);
        TakeReadStates(rd);
        ServeReads(count > 0 ? rd.CommittedEntries[count - 1].Index : _core!.AppliedIndex);
        return count;
    }

    /// <summary>Reads the Ready confirmed wait for the state machine to reach their index (taking them twice is harmless).</summary>
    private void TakeReadStates(Ready rd)
    {
        foreach (var rs in rd.ReadStates)
            if (_reads.Remove(rs.Context, out var read)) _readsAwaitingApply.Add((rs, read));
    }

    private void Send(Ready rd)
    {
        foreach (var m in rd.Messages)
        {
            if (m is SnapshotRequest request) StartSnapshotTransfer(request);
            else _transport.Send(m.To, GroupId, new RaftReplicaProtocol.RaftEnvelope(GroupId, m), Self);
        }
    }

    /// <summary>
    /// Leadership changes, for operators: taking the lead is routine (info); losing it is worth a warning, since
    /// outside a transfer it means the leader lost touch with a quorum or a follower stopped hearing from it.
    /// </summary>
    private void LogLeadership(SoftState soft, long term)
    {
        var leads = soft.Role == RaftRole.Leader;
        if (leads && !_loggedLeading)
            _log.Info("Replica {0}/{1} leads in term {2}", GroupId, Me, term);
        else if (!leads && _loggedLeading)
            _log.Warning("Replica {0}/{1} no longer leads (term {2}, {3})", GroupId, Me, term, soft.Leader is { } other ? $"{other} leads" : "no leader yet");
        _loggedLeading = leads;
    }

    /// <summary>Everything that may happen only once the Ready is durable: send (unless already sent), apply (what was not applied early), serve reads, advance.</summary>
    private void AfterPersisted(Ready rd, bool sent, int appliedEarly)
    {
        var core = _core!;
        if (rd.HardState is { } hs) _persistedHardState = hs;
        if (!sent) Send(rd);
        if (rd.SoftState is { } soft)
        {
            if (soft.Role != RaftRole.Leader) FailReads("leadership changed");
            LogLeadership(soft, core.Term);
            _app!.OnRoleChanged(soft.Role, core.Term, soft.Leader);
        }
        for (var i = appliedEarly; i < rd.CommittedEntries.Count; i++) Apply(rd.CommittedEntries[i]);
        TakeReadStates(rd);
        core.Advance(rd);
        DiscardAppliedEntries();
        ServeReads(core.AppliedIndex);
        MaybeCheckpoint();
        ScheduleReady();
    }

    /// <summary>
    /// Keeps a short tail of applied entries in memory (kahuna.raft.retain-applied-entries): a follower drops what it
    /// applied, a leader what it applied and every replica of the group holds. The rest stays in the journal until the
    /// next checkpoint; a peer that later needs it gets a snapshot of the applied state.
    /// </summary>
    private void DiscardAppliedEntries() => _core!.DiscardAppliedKeeping(_settings.Raft.RetainAppliedEntries);

    private void Apply(LogEntry e)
    {
        object? result = null;
        try
        {
            if (!e.IsConfiguration && e.Data.Length > 0) result = _app!.Apply(e.Index, e.Data);
        }
        catch (ReplicaCannotApplyException cannot)
        {
            throw new ReplicaHaltedException(GroupId, Me, cannot);
        }
        _entriesSinceCheckpoint++;
        _bytesSinceCheckpoint += e.Size;
        if (!_proposals.Remove(e.Index, out var proposal)) return;
        if (proposal.Term == e.Term) proposal.OnApplied(result);
        else proposal.OnFailed(new ReplicaFailure(ProposeStatus.NotLeader, _core!.Leader, "the entry was replaced after a leader change"));
    }

    private void ServeReads(long applied)
    {
        if (_readsAwaitingApply.Count == 0) return;
        var served = 0;
        for (var i = 0; i < _readsAwaitingApply.Count; i++)
        {
            var (state, read) = _readsAwaitingApply[i];
            if (state.Index > applied) continue;
            read.OnReadable();
            _readsAwaitingApply[i] = default;
            served++;
        }
        if (served > 0) _readsAwaitingApply.RemoveAll(x => x.Read is null);
    }

    private void FailReads(string reason)
    {
        var failure = new ReplicaFailure(ProposeStatus.NotLeader, _core?.Leader, reason);
        foreach (var read in _reads.Values) read.OnFailed(failure);
        foreach (var (_, read) in _readsAwaitingApply) read.OnFailed(failure);
        _reads.Clear();
        _readsAwaitingApply.Clear();
    }

    /// <summary>A proposal whose index is never applied here (the group lost quorum) must not wait forever.</summary>
    private void ExpireStaleProposals()
    {
        if (_proposals.Count == 0 || _ticks % _settings.Raft.ElectionTicks != 0) return;
        var limit = _ticks - 10L * _settings.Raft.ElectionTicks;
        List<long>? expired = null;
        foreach (var (index, p) in _proposals)
            if (p.ProposedAtTick < limit) (expired ??= new()).Add(index);
        if (expired is null) return;
        foreach (var index in expired)
        {
            _proposals.Remove(index, out var p);
            p!.OnFailed(new ReplicaFailure(ProposeStatus.NotLeader, _core!.Leader, "not committed in time; outcome unknown"));
        }
    }

    /// <summary>Proposals at or below an installed snapshot will never be applied here one by one: their outcome is unknown.</summary>
    private void FailProposalsUpTo(long index)
    {
        foreach (var key in _proposals.Keys.Where(k => k <= index).ToList())
        {
            _proposals.Remove(key, out var p);
            p!.OnFailed(new ReplicaFailure(ProposeStatus.NotLeader, _core!.Leader, "replaced by a snapshot; outcome unknown"));
        }
    }

    /// <summary>The <see cref="IReplicaHost"/> the application sees; every call happens on the actor's thread.</summary>
    private sealed class Host(RaftReplicaActor actor) : IReplicaHost
    {
        private RaftNode Core => actor._core!;
        public string GroupId => actor.GroupId;
        public string ReplicaId => actor.Me;
        public RaftRole Role => Core.Role;
        public long Term => Core.Term;
        public string? Leader => Core.Leader;
        public bool IsLeader => Core.IsLeader;
        public long AppliedIndex => Core.AppliedIndex;
        public RaftConfiguration Configuration => Core.Configuration;
        public bool CommittedInCurrentTerm => Core.CommittedInCurrentTerm;
        public long TermBeforeLeadership => Core.TermBeforeLeadership;
        public Akka.Actor.IActorRef Self => actor.Self;

        public void Propose(ReadOnlyMemory<byte> command, Action<object?> onApplied, Action<ReplicaFailure> onFailed)
        {
            var result = Core.Propose(command);
            if (!result.Accepted)
            {
                onFailed(new ReplicaFailure(result.Status, result.LeaderHint, result.Status.ToString()));
                return;
            }
            actor._proposals[result.Index] = new PendingProposal(result.Term, actor._ticks, onApplied, onFailed);
            actor.ScheduleReady();
        }

        public void ReadIndex(Action onReadable, Action<ReplicaFailure> onFailed)
        {
            var result = Core.ReadIndex();
            if (!result.Accepted)
            {
                onFailed(new ReplicaFailure(ProposeStatus.NotLeader, result.LeaderHint, "not the leader"));
                return;
            }
            actor._reads[result.Context] = new PendingRead(onReadable, onFailed);
            actor.ScheduleReady();
        }

        public bool TransferLeadership(string target)
        {
            var ok = Core.TransferLeadership(target);
            actor.ScheduleReady();
            return ok;
        }

        public ProposeResult ProposeConfigChange(ConfigChange change, out string? error)
        {
            var result = Core.ProposeConfigChange(change, out error);
            actor.ScheduleReady();
            return result;
        }
    }
}
