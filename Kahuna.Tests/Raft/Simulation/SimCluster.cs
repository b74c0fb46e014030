using System.Text;
using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

/// <summary>
/// A seeded, single-threaded simulation of one Raft group: replicas driven by the exact host contract of
/// <see cref="Ready"/>, an unreliable network, crashes that lose everything not persisted, partitions,
/// membership changes, transfers and compaction. Invariants are checked after every event; the same seed
/// always replays the same run.
/// </summary>
internal sealed partial class SimCluster
{
    private readonly SimScenario _s;
    private readonly Random _random;
    private readonly SimNetwork _network;
    private readonly Dictionary<string, SimReplica> _replicas = new(StringComparer.Ordinal);
    private readonly List<string> _ids;
    private readonly SimTrace _trace = new(400);
    private readonly SimHistory _history = new();
    // Snapshots sent and not yet delivered: the host reports the outcome back to the sender, as the actor shell does.
    private readonly List<(string From, string To, long Index, long Deadline)> _snapshotsInFlight = new();
    private long _now;
    private int _writeSeq;
    private int _faults;
    private bool _faulty;

    public SimCluster(SimScenario scenario)
    {
        _s = scenario;
        _random = new Random(scenario.Seed);
        _network = new SimNetwork(_random) { DropRate = scenario.DropRate, DuplicateRate = scenario.DuplicateRate };
        _ids = Enumerable.Range(1, scenario.Replicas).Select(i => $"n{i}").ToList();
        var initial = RaftConfiguration.Of(_ids.Take(scenario.InitialVoters));
        foreach (var id in _ids)
        {
            var boundary = initial.Contains(id) ? new SnapshotMetadata(0, 0, initial) : new SnapshotMetadata(0, 0, RaftConfiguration.Empty);
            var replica = new SimReplica(id, new SimStorage(boundary), _random.Next(scenario.TickEvery));
            _replicas[id] = replica;
            Start(replica);
        }
    }

    public SimHistory History => _history;
    public int Faults => _faults;
    public string Trace => _trace.ToString();

    public void Run()
    {
        try
        {
            for (var i = 0; i < _s.FaultSteps; i++) Step(faulty: true);
            HealEverything();
            CheckLiveness();
            CheckConvergence();
        }
        catch (Exception e)
        {
            throw new SimulationViolation(
                $"{e.GetType().Name}: {e.Message}\n  at step {_now}, {_s}\n  replay: KAHUNA_SIM_SEED={_s.Seed} dotnet test Kahuna.Akka.sln --filter RaftSimulationTests.ReplaySeed\n" +
                $"--- last events ---\n{_trace}\n--- state ---\n{DescribeReplicas()}\n--- exception ---\n{e}");
        }
    }

    private void Step(bool faulty)
    {
        _faulty = faulty;
        _now++;
        foreach (var m in _network.Due(_now).ToList()) Deliver(m);
        for (var i = _snapshotsInFlight.Count - 1; i >= 0; i--)
        {
            var (from, to, _, deadline) = _snapshotsInFlight[i];
            if (deadline > _now) continue;
            _snapshotsInFlight.RemoveAt(i);
            _replicas[from].Core?.ReportSnapshotStatus(to, delivered: false);
        }
        foreach (var r in _replicas.Values)
            if (r.Alive && (_now + r.TickOffset) % _s.TickEvery == 0) Tick(r, faulty);
        ClientOperations();
        if (faulty) InjectFaults();
        foreach (var r in _replicas.Values) ProcessReady(r);
    }

    /// <summary>One tick period of a replica: its tick now, or, with a late timer, held and handed over in a burst.</summary>
    private void Tick(SimReplica r, bool faulty)
    {
        r.HeldTicks++;
        if (faulty && _s.LateTicks)
        {
            if (r.HoldTicks == 0 && _random.NextDouble() < 0.01) r.HoldTicks = 2 + _random.Next(30);
            if (r.HeldTicks < r.HoldTicks) return;
        }
        if (r.HeldTicks > 1) _trace.Add(_now, $"{r.Id} late timer: {r.HeldTicks} ticks at once");
        r.Core!.Tick(r.HeldTicks);
        r.HeldTicks = 0;
        r.HoldTicks = 0;
    }

    private void Deliver(RaftMessage m)
    {
        var target = _replicas[m.To];
        if (!target.Alive) return;
        if (m is SnapshotRequest snap)
        {
            var i = _snapshotsInFlight.FindIndex(x => x.From == m.From && x.To == m.To && x.Index == snap.Metadata.Index);
            if (i >= 0)
            {
                _snapshotsInFlight.RemoveAt(i);
                _replicas[m.From].Core?.ReportSnapshotStatus(m.To, delivered: true);
            }
        }
        _trace.Add(_now, $"{m.From}->{m.To} {Describe(m)}");
        target.Core!.Step(m);
    }

    private void Start(SimReplica r)
    {
        var options = new RaftOptions
        {
            Id = r.Id,
            ElectionTicks = 10,
            HeartbeatTicks = 2,
            QuietHeartbeatTicks = _s.QuietHeartbeats ? 4 : 0,
            PreVote = _s.PreVote,
            CheckQuorum = _s.CheckQuorum,
            ReadMode = _s.LeaseReads ? ReadMode.LeaseBased : ReadMode.Safe,
            MaxBytesPerAppend = 200,
            MaxInflightAppends = 4,
            MaxCommittedBytesPerReady = 400,
            Random = new SimRandom(_random.Next()),
        };
        r.Core = new RaftNode(options, r.Storage.Load());
        if (r.Storage.MissesRecordedEntries && r.Core.Configuration.Voters.Count > 1 && !r.Core.MissesCommittedEntries)
            throw new SimulationViolation($"{r.Id} restarted without entries up to its recorded commit {r.Storage.HardState.Commit} and does not know it");
        r.StateMachine = new SimStateMachine();
        r.StateMachine.Restore(r.Storage.SnapshotData, r.Storage.Snapshot.Index);
        r.RecordedCommit = r.Storage.Snapshot.Index;
        r.Reads.Clear();
        r.ReadsAwaitingApply.Clear();
        r.Proposals.Clear();
        r.Writing = null;
        // As the replica actor does: a sole voter campaigns at once instead of after an election timeout.
        if (r.Core.IsSoleVoter) r.Core.Campaign();
    }

    private void Crash(SimReplica r, string why)
    {
        _faults++;
        _trace.Add(_now, $"CRASH {r.Id} ({why})");
        r.Core = null;
        // A write still in flight never reached the disk.
        r.Writing = null;
        r.Reads.Clear();
        r.ReadsAwaitingApply.Clear();
        r.Proposals.Clear();
    }

    /// <summary>
    /// Drives a replica as the replica actor does: take a Ready, send first what a leader may send before its write
    /// (thesis §10.2.1) and then apply what is committed and already durable, write, then complete. In async-writes
    /// scenarios the write takes a few steps, during which the core keeps being stepped, ticked and proposed to (their
    /// output waits for the next Ready, as <see cref="Ready"/> allows); a crash loses the write in flight. The actor
    /// itself holds messages back while it writes (Persist), so those scenarios cover the contract more widely than
    /// the shell uses it today.
    /// </summary>
    private void ProcessReady(SimReplica r)
    {
        while (r.Alive)
        {
            if (r.Writing is { } writing)
            {
                if (r.WriteDoneAt > _now) return;
                r.Writing = null;
                if (!CompleteReady(r, writing, r.WriteSentFirst, r.WriteAppliedEarly)) return;
                continue;
            }
            if (!r.Core!.HasReady()) return;
            var rd = r.Core.GetReady();
            ObserveSoftState(r, rd);
            r.WriteSentFirst = rd.MessagesMayGoFirst;
            r.WriteAppliedEarly = 0;
            if (rd.MessagesMayGoFirst)
            {
                SendAll(r, rd.Messages);
                // As the replica actor does: what is committed and already on disk is applied before the write, and
                // confirmed reads are served as soon as the state machine has their index.
                r.WriteAppliedEarly = rd.DurableCommittedCount;
                for (var i = 0; i < rd.DurableCommittedCount; i++) ApplyCommitted(r, rd.CommittedEntries[i]);
                TakeReadStates(r, rd);
                ServeReads(r);
            }
            r.Writing = rd;
            // 0: durable within this step; else a later one, with deliveries, ticks and proposals in between.
            r.WriteDoneAt = _s.AsyncWrites ? _now + _random.Next(4) : _now;
        }
    }

    private void ObserveSoftState(SimReplica r, Ready rd)
    {
        if (rd.SoftState is not { } soft) return;
        var core = r.Core!;
        _trace.Add(_now, $"{r.Id} is {soft.Role} term={core.Term} leader={soft.Leader ?? "-"}");
        if (soft.Role == RaftRole.Leader)
        {
            _history.LeaderElected(core.Term, r.Id);
            CheckLeaderCompleteness(r);
        }
        else
        {
            // Reads in flight die with leadership; the client would see an error and retry.
            r.Reads.Clear();
            r.ReadsAwaitingApply.Clear();
        }
    }

    /// <summary>Persists a Ready, then sends (unless its messages went first), applies, serves and advances. False when the replica crashed on the way.</summary>
    private bool CompleteReady(SimReplica r, Ready rd, bool sent, int appliedEarly)
    {
        var core = r.Core!;
        if (_faulty && _random.NextDouble() < _s.CrashMidReadyRate) { Crash(r, "before persisting a Ready"); return false; }
        r.Storage.Persist(rd);
        // Only persisted entries can ever be seen by anyone else (messages leave after persistence, or carry
        // entries a leader may send first: see SendAll).
        foreach (var e in rd.Entries) _history.EntrySeen(e);
        if (_faulty && _random.NextDouble() < _s.CrashMidReadyRate) { Crash(r, "after persisting, before sending"); return false; }
        if (!sent) SendAll(r, rd.Messages);
        if (rd.Snapshot is { } snap)
        {
            if (_history.TryGetCommitted(snap.Metadata.Index, out var c) && c.Term != snap.Metadata.Term)
                throw new SimulationViolation($"{r.Id} installed a snapshot at {snap.Metadata.Index} term {snap.Metadata.Term}, committed term there is {c.Term}");
            r.StateMachine.Restore(snap.Data, snap.Metadata.Index);
            _trace.Add(_now, $"{r.Id} installed snapshot at {snap.Metadata.Index}");
        }
        for (var i = appliedEarly; i < rd.CommittedEntries.Count; i++) ApplyCommitted(r, rd.CommittedEntries[i]);
        TakeReadStates(r, rd);
        core.Advance(rd);
        ObserveCommit(r);
        ServeReads(r);
        return true;
    }

    private static void TakeReadStates(SimReplica r, Ready rd)
    {
        foreach (var rs in rd.ReadStates)
            if (r.Reads.Remove(rs.Context, out var read)) r.ReadsAwaitingApply.Add((rs, read));
    }

    private void SendAll(SimReplica r, IReadOnlyList<RaftMessage> messages)
    {
        foreach (var m in messages)
        {
            // A leader's entries may leave before its own write (thesis §10.2.1): they count as seen from then on.
            if (m is AppendRequest a) foreach (var e in a.Entries) _history.EntrySeen(e);
            _network.Send(AttachSnapshot(r, m), _now);
        }
    }

    private RaftMessage AttachSnapshot(SimReplica r, RaftMessage m)
    {
        if (m is not SnapshotRequest s) return m;
        // The host ships the newest snapshot it holds; it may be newer than the one the core named (taken since).
        if (r.Storage.Snapshot.Index >= s.Metadata.Index)
        {
            _snapshotsInFlight.Add((s.From, s.To, r.Storage.Snapshot.Index, _now + 80));
            return s with { Metadata = r.Storage.Snapshot, Data = r.Storage.SnapshotData };
        }
        // Entries were discarded beyond the saved snapshot: like the actor shell, ship a fresh one of the applied state.
        var core = r.Core!;
        var fresh = r.StateMachine.Applied == core.AppliedIndex ? core.SnapshotMetadataAt(core.AppliedIndex) : null;
        if (fresh is null || fresh.Index < s.Metadata.Index)
            throw new SimulationViolation($"{r.Id} was asked to send snapshot {s.Metadata.Index} but can make only {fresh?.Index.ToString() ?? "none"}");
        _snapshotsInFlight.Add((s.From, s.To, fresh.Index, _now + 80));
        return s with { Metadata = fresh, Data = r.StateMachine.TakeSnapshot() };
    }

    private void ApplyCommitted(SimReplica r, LogEntry e)
    {
        _history.Committed(e, r.Id);
        _history.CommitObserved(e.Index);
        _history.Applied(e, r.Id);
        r.StateMachine.Apply(e);
        if (r.Proposals.Remove(e.Index, out var proposal) && proposal.Term == e.Term)
        {
            _history.WritesAcknowledged++;
            _trace.Add(_now, $"{r.Id} ack write {proposal.Value} at {e.Index}");
        }
    }

    /// <summary>Records what a replica now knows is committed, so every later leader and apply can be checked against it.</summary>
    private void ObserveCommit(SimReplica r)
    {
        var core = r.Core!;
        for (var i = r.RecordedCommit + 1; i <= core.CommitIndex; i++)
        {
            var e = core.EntryAt(i);
            if (e is not null) _history.Committed(e, r.Id);
        }
        r.RecordedCommit = Math.Max(r.RecordedCommit, core.CommitIndex);
        _history.CommitObserved(core.CommitIndex);
    }

    /// <summary>A read is linearizable if the state it sees includes every entry committed before it was invoked.</summary>
    private void ServeReads(SimReplica r)
    {
        for (var i = r.ReadsAwaitingApply.Count - 1; i >= 0; i--)
        {
            var (state, read) = r.ReadsAwaitingApply[i];
            if (r.StateMachine.Applied < state.Index) continue;
            if (state.Index < read.CommitAtInvoke)
                throw new SimulationViolation(
                    $"stale read on {r.Id}: read {read.Context} of {read.Key} invoked at step {read.InvokedAt} when {read.CommitAtInvoke} was committed, served at index {state.Index}");
            _history.ReadsChecked++;
            r.ReadsAwaitingApply.RemoveAt(i);
        }
    }

    /// <summary>Leader completeness (§5.4): a new leader's log holds every entry committed before it won.</summary>
    private void CheckLeaderCompleteness(SimReplica r)
    {
        var core = r.Core!;
        for (var i = Math.Max(core.FirstIndex, 1); i <= _history.CommitIndex; i++)
        {
            if (!_history.TryGetCommitted(i, out var c)) continue;
            var e = core.EntryAt(i);
            if (e is null || e.Term != c.Term)
                throw new SimulationViolation($"leader completeness: {r.Id} leads term {core.Term} without committed entry {i} (term {c.Term}); it has {(e is null ? "nothing" : $"term {e.Term}")}");
        }
    }

    private void ClientOperations()
    {
        if (_random.NextDouble() < _s.ProposeRate)
        {
            var r = RandomAlive();
            if (r is not null)
            {
                var value = $"k{_random.Next(3)}=w{++_writeSeq}";
                var result = r.Core!.Propose(Encoding.UTF8.GetBytes(value));
                if (result.Accepted) r.Proposals[result.Index] = (result.Term, value);
            }
        }
        if (_random.NextDouble() < _s.ReadRate)
        {
            var r = RandomAlive();
            if (r is not null)
            {
                var result = r.Core!.ReadIndex();
                if (result.Accepted)
                    r.Reads[result.Context] = new PendingRead(result.Context, $"k{_random.Next(3)}", _now, _history.CommitIndex);
            }
        }
    }

    private SimReplica? RandomAlive()
    {
        var alive = _replicas.Values.Where(x => x.Alive).ToList();
        return alive.Count == 0 ? null : alive[_random.Next(alive.Count)];
    }

    private SimReplica? Leader() =>
        _replicas.Values.Where(x => x.Alive && x.Core!.IsLeader).OrderByDescending(x => x.Core!.Term).FirstOrDefault();

    private static string Describe(RaftMessage m) => m switch
    {
        VoteRequest v => $"{(v.PreVote ? "PreVote" : "Vote")}Req t={v.Term} last=({v.LastLogIndex},{v.LastLogTerm}){(v.Transfer ? " transfer" : "")}",
        VoteResponse v => $"{(v.PreVote ? "PreVote" : "Vote")}Resp t={v.Term} {(v.Granted ? "granted" : "rejected")}",
        AppendRequest a => $"App t={a.Term} prev=({a.PrevLogIndex},{a.PrevLogTerm}) n={a.Entries.Count} commit={a.Commit}",
        AppendResponse a => $"AppResp t={a.Term} {(a.Success ? "ok" : "reject")} idx={a.Index} hint=({a.RejectHint},{a.HintTerm})",
        HeartbeatRequest h => $"HB t={h.Term} commit={h.Commit} ctx={h.ReadContext}",
        HeartbeatResponse h => $"HBResp t={h.Term} ctx={h.ReadContext}",
        SnapshotRequest s => $"Snap t={s.Term} at=({s.Metadata.Index},{s.Metadata.Term}) {s.Metadata.Configuration}",
        TimeoutNowRequest t => $"TimeoutNow t={t.Term}",
        _ => m.ToString(),
    };

    private string DescribeReplicas() => string.Join("\n", _replicas.Values.Select(r => r.Alive
        ? $"  {r.Id}: {r.Core!.Role} term={r.Core.Term} leader={r.Core.Leader ?? "-"} commit={r.Core.CommitIndex} applied={r.Core.AppliedIndex} log=[{r.Core.FirstIndex}..{r.Core.LastIndex}] {r.Core.Configuration}"
        : $"  {r.Id}: down (disk: term={r.Storage.HardState.Term} snapshot={r.Storage.Snapshot.Index} entries={r.Storage.Entries.Count})"));
}

/// <summary>The last events of a run, printed when an invariant breaks.</summary>
internal sealed class SimTrace(int capacity)
{
    private readonly Queue<string> _lines = new();

    public void Add(long step, string line)
    {
        if (_lines.Count == capacity) _lines.Dequeue();
        _lines.Enqueue($"[{step}] {line}");
    }

    public override string ToString() => string.Join("\n", _lines);
}
