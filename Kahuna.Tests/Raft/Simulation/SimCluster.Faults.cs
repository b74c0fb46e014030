using System.Text;
using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

internal sealed partial class SimCluster
{
    private void InjectFaults()
    {
        if (_random.NextDouble() < _s.CrashRate && RandomAlive() is { } victim) Crash(victim, "fault");
        if (_random.NextDouble() < _s.RestartRate)
        {
            var dead = _replicas.Values.Where(x => !x.Alive).ToList();
            if (dead.Count > 0)
            {
                var r = dead[_random.Next(dead.Count)];
                Start(r);
                _trace.Add(_now, $"RESTART {r.Id} from disk (term={r.Storage.HardState.Term} snapshot={r.Storage.Snapshot.Index} entries={r.Storage.Entries.Count})");
            }
        }
        if (_random.NextDouble() < _s.PartitionRate) Partition();
        if (_random.NextDouble() < _s.HealRate && _network.HasCuts)
        {
            _network.Heal();
            _trace.Add(_now, "HEAL network");
        }
        if (_random.NextDouble() < _s.MembershipRate) ChangeMembership();
        if (_random.NextDouble() < _s.TransferRate) TransferLeadership();
        if (_random.NextDouble() < _s.CompactRate && RandomAlive() is { } c) Compact(c);
        if (_s.LostTailRate > 0 && _random.NextDouble() < _s.LostTailRate && RandomAlive() is { } l) LoseTail(l);
    }

    /// <summary>
    /// The replica goes down and its disk comes back without its last entries, all of them recorded as committed (a
    /// journal restored from an older copy). Until a leader has sent them again such a replica must not campaign, and
    /// may vote only for candidates that must hold them (RaftNode.MissesCommittedEntries), or it could help elect a
    /// leader without a committed entry. Only losses the core can see (the replica held nothing beyond its recorded
    /// commit index), and one such replica at a time: when it is needed for a majority and no candidate provably
    /// holds what it lost, nobody is elected, by design, and the liveness check would fail.
    /// </summary>
    private void LoseTail(SimReplica r)
    {
        var disk = r.Storage;
        if (disk.Entries.Count == 0 || disk.LastIndex != disk.HardState.Commit) return;
        if (r.Core!.Configuration.Voters.Count < 3) return;
        if (_replicas.Values.Any(x => x.Alive ? x.Core!.MissesCommittedEntries : x.Storage.MissesRecordedEntries)) return;
        var count = 1 + _random.Next(Math.Min(3, disk.Entries.Count));
        Crash(r, "disk lost acknowledged entries");
        disk.LoseLastEntries(count);
        _trace.Add(_now, $"LOST TAIL {r.Id}: entries after {disk.LastIndex} gone, recorded commit {disk.HardState.Commit}");
    }

    private void Partition()
    {
        _faults++;
        if (_random.Next(4) == 0)
        {
            // A one-way cut: a sends to b, b's messages to a are lost.
            var a = _ids[_random.Next(_ids.Count)];
            var b = _ids[_random.Next(_ids.Count)];
            if (a == b) return;
            _network.Cut(b, a);
            _trace.Add(_now, $"CUT {b}->{a}");
            return;
        }
        var side = _ids.Where(_ => _random.Next(2) == 0).ToList();
        if (side.Count == 0 || side.Count == _ids.Count) return;
        _network.Partition(side, _ids);
        _trace.Add(_now, $"PARTITION [{string.Join(",", side)}] | [{string.Join(",", _ids.Except(side))}]");
    }

    private void ChangeMembership()
    {
        var leader = Leader();
        if (leader is null) return;
        var core = leader.Core!;
        var config = core.Configuration;
        ConfigChange? change = null;
        var learners = config.Learners.ToList();
        var outsiders = _ids.Where(id => !config.Contains(id)).ToList();
        var choice = _random.Next(3);
        if (choice == 0 && outsiders.Count > 0) change = new ConfigChange(ConfigChangeKind.AddLearner, outsiders[_random.Next(outsiders.Count)]);
        else if (choice == 1 && learners.Count > 0) change = new ConfigChange(ConfigChangeKind.PromoteLearner, learners[_random.Next(learners.Count)]);
        else if (choice == 2 && config.Voters.Count > 1)
        {
            var members = config.Members.ToList();
            change = new ConfigChange(ConfigChangeKind.RemoveReplica, members[_random.Next(members.Count)]);
        }
        if (change is null) return;
        var result = core.ProposeConfigChange(change, out var error);
        _faults++;
        _trace.Add(_now, $"MEMBERSHIP {leader.Id} proposes {change.Kind} {change.ReplicaId}: {result.Status}{(error is null ? "" : $" ({error})")}");
    }

    private void TransferLeadership()
    {
        var leader = Leader();
        if (leader is null) return;
        var voters = leader.Core!.Configuration.Voters.Where(v => v != leader.Id).ToList();
        if (voters.Count == 0) return;
        var target = voters[_random.Next(voters.Count)];
        var ok = leader.Core.TransferLeadership(target);
        _faults++;
        _trace.Add(_now, $"TRANSFER {leader.Id} -> {target}: {(ok ? "started" : "refused")}");
    }

    /// <summary>
    /// What the replica actor does: snapshot the state machine at its applied index, then drop the log below it; or,
    /// as a follower does between snapshots, drop applied entries from memory with no snapshot saved at all (a peer
    /// that then needs them gets a fresh snapshot of the applied state, see AttachSnapshot).
    /// </summary>
    private void Compact(SimReplica r)
    {
        var core = r.Core!;
        var applied = r.StateMachine.Applied;
        if (_random.Next(2) == 0 && applied == core.AppliedIndex)
        {
            var upToApplied = applied - _random.Next(6);
            if (upToApplied < core.FirstIndex) return;
            core.DiscardApplied(upToApplied);
            _trace.Add(_now, $"DISCARD {r.Id} applied entries up to {upToApplied}, log now from {core.FirstIndex} (snapshot saved at {r.Storage.Snapshot.Index})");
            return;
        }
        if (applied <= r.Storage.Snapshot.Index || applied != core.AppliedIndex) return;
        var meta = core.SnapshotMetadataAt(applied);
        if (meta is null) return;
        r.Storage.SaveSnapshot(meta, r.StateMachine.TakeSnapshot());
        core.SnapshotSaved(meta);
        var keep = _random.Next(6);
        var upTo = Math.Max(core.FirstIndex - 1, applied - keep);
        core.CompactLog(upTo);
        _trace.Add(_now, $"COMPACT {r.Id} snapshot at {applied}, log now from {core.FirstIndex}");
    }

    private void HealEverything()
    {
        _network.Heal();
        _network.DropRate = 0;
        _network.DuplicateRate = 0;
        foreach (var r in _replicas.Values.Where(x => !x.Alive)) Start(r);
        _trace.Add(_now, "HEAL everything: network whole, every replica up");
    }

    /// <summary>With every fault healed, a leader is elected and a proposal commits within a bound.</summary>
    private void CheckLiveness()
    {
        var deadline = _now + _s.LivenessSteps;
        (SimReplica Replica, long Index, long Term)? probe = null;
        while (_now < deadline)
        {
            Step(faulty: false);
            if (probe is { } p)
            {
                if (p.Replica.StateMachine.Applied >= p.Index && _history.TryGetCommitted(p.Index, out var c) && c.Term == p.Term) return;
                if (!p.Replica.Core!.IsLeader) probe = null;
                continue;
            }
            var leader = Leader();
            if (leader is null) continue;
            var result = leader.Core!.Propose(Encoding.UTF8.GetBytes("k0=final"));
            if (result.Accepted) probe = (leader, result.Index, result.Term);
        }
        throw new SimulationViolation($"liveness: no proposal committed within {_s.LivenessSteps} steps after healing");
    }

    /// <summary>Every member converges on the same committed log and state (no committed entry lost anywhere).</summary>
    private void CheckConvergence()
    {
        var deadline = _now + _s.LivenessSteps;
        while (_now < deadline)
        {
            Step(faulty: false);
            var leader = Leader();
            if (leader is null) continue;
            var members = leader.Core!.Configuration.Members.Select(id => _replicas[id]).ToList();
            var target = leader.Core.CommitIndex;
            if (members.All(m => m.Core!.CommitIndex == target && m.StateMachine.Applied == target))
            {
                var prints = members.Select(m => m.StateMachine.Fingerprint).Distinct().ToList();
                if (prints.Count != 1)
                    throw new SimulationViolation($"replicas applied the same index but differ: {string.Join(" | ", prints)}");
                return;
            }
        }
        throw new SimulationViolation($"convergence: members did not catch up within {_s.LivenessSteps} steps");
    }
}
