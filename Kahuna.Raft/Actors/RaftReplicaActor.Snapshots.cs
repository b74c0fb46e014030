using Akka.Event;
using Akka.Persistence;
using Kahuna.Raft.Core;
using SnapshotMetadata = Kahuna.Raft.Core.SnapshotMetadata;
using Kahuna.Raft.Persistence;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Raft.Actors;

public sealed partial class RaftReplicaActor
{
    private sealed record HeldSnapshot(SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data);
    private sealed record CheckpointInProgress(bool IsInstall, SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data);

    private sealed class OutgoingSnapshot(HeldSnapshot snapshot, long term, long tick)
    {
        public HeldSnapshot Snapshot { get; } = snapshot;
        public long Term { get; } = term;
        public long Offset { get; set; }
        public int LastSentLength { get; set; }
        public long LastProgressTick { get; set; } = tick;
    }

    private sealed class IncomingSnapshot(string from, SnapshotMetadata metadata, byte[] buffer)
    {
        public string From { get; } = from;
        public SnapshotMetadata Metadata { get; } = metadata;
        public byte[] Buffer { get; } = buffer;
        public long Received { get; set; }
    }

    // The newest snapshot this replica saved (its own checkpoint or one installed from a leader). Only its metadata
    // stays in memory: the serialized state is as big as the state itself (~160 MB for 1M keys), and a follower that
    // needs a snapshot gets a fresh one made at the applied index instead (see StartSnapshotTransfer).
    private SnapshotMetadata? _savedSnapshot;
    private CheckpointInProgress? _checkpointInProgress;
    private Ready? _installing;
    private long _entriesSinceCheckpoint;
    private long _bytesSinceCheckpoint;
    // Size of the state in the last checkpoint taken or restored (CheckpointPolicy waits for the log to grow by a part of it).
    private long _lastCheckpointBytes;
    private readonly Dictionary<string, OutgoingSnapshot> _outgoing = new(StringComparer.Ordinal);
    private IncomingSnapshot? _incoming;

    protected override bool AroundReceive(Akka.Actor.Receive receive, object message)
    {
        // While a leader's snapshot is being made durable nothing else may touch the replica.
        if (_installing is not null && message is not (SaveSnapshotSuccess or SaveSnapshotFailure))
        {
            Stash.Stash();
            return true;
        }
        return base.AroundReceive(receive, message);
    }

    /// <summary>Takes a checkpoint once enough has been applied since the last one (counted per replica, lesson 11).</summary>
    private void MaybeCheckpoint()
    {
        if (_checkpointInProgress is not null || _installing is not null) return;
        // A replica that lost committed entries keeps that fact in its recorded commit index until a leader has sent
        // them again; a checkpoint records only what it holds, so it waits until then (see RaftNode.MissesCommittedEntries).
        if (_core!.MissesCommittedEntries) return;
        if (!CheckpointPolicy.IsDue(_settings.Raft, _entriesSinceCheckpoint, _bytesSinceCheckpoint, _lastCheckpointBytes)) return;
        var core = _core!;
        var meta = core.SnapshotMetadataAt(core.AppliedIndex);
        if (meta is null || !_checkpointGate.TryEnter(PersistenceId)) return;
        var data = _app!.TakeSnapshot();
        _lastCheckpointBytes = data.Length;
        var stable = core.StableIndex;
        var hard = _persistedHardState with { Commit = Math.Min(core.CommitIndex, stable) };
        _checkpointInProgress = new CheckpointInProgress(false, meta, data);
        SaveSnapshot(new ReplicaCheckpoint(hard, meta, data, core.EntriesBetween(meta.Index, stable)));
        _entriesSinceCheckpoint = 0;
        _bytesSinceCheckpoint = 0;
    }

    private void OnCheckpointSaved(Akka.Persistence.SnapshotMetadata saved)
    {
        var checkpoint = _checkpointInProgress;
        _checkpointInProgress = null;
        if (checkpoint is null) return;
        if (!checkpoint.IsInstall) _checkpointGate.Exit(PersistenceId);
        _savedSnapshot = checkpoint.Metadata;
        // Everything up to the checkpoint's sequence number is in it: the journal below can go, and older checkpoints.
        DeleteMessages(saved.SequenceNr);
        DeleteSnapshots(new SnapshotSelectionCriteria(saved.SequenceNr - 1));
        var core = _core!;
        if (checkpoint.IsInstall)
        {
            FinishInstall();
            return;
        }
        core.SnapshotSaved(checkpoint.Metadata);
        var compactTo = Math.Max(core.FirstIndex - 1, checkpoint.Metadata.Index - _settings.Raft.CompactionRetainEntries);
        core.CompactLog(compactTo);
        if (_installing is not null) SaveInstall();
    }

    private void BeginInstall(Ready rd)
    {
        _installing = rd;
        // One snapshot save at a time: an install waits for a checkpoint already on its way.
        if (_checkpointInProgress is null) SaveInstall();
    }

    private void SaveInstall()
    {
        var rd = _installing!;
        var snap = rd.Snapshot!;
        var hard = rd.HardState ?? _persistedHardState;
        var last = rd.Entries.Count > 0 ? rd.Entries[^1].Index : snap.Metadata.Index;
        hard = hard with { Commit = Math.Min(Math.Max(hard.Commit, snap.Metadata.Index), last) };
        _checkpointInProgress = new CheckpointInProgress(true, snap.Metadata, snap.Data);
        SaveSnapshot(new ReplicaCheckpoint(hard, snap.Metadata, snap.Data, rd.Entries));
    }

    private void FinishInstall()
    {
        var rd = _installing!;
        _installing = null;
        var meta = rd.Snapshot!.Metadata;
        _log.Info("Replica {0}/{1} installed a snapshot at index {2} ({3} bytes) from the leader", GroupId, Me, meta.Index, rd.Snapshot.Data.Length);
        _app!.RestoreSnapshot(rd.Snapshot.Data);
        _lastCheckpointBytes = rd.Snapshot.Data.Length;
        FailProposalsUpTo(meta.Index);
        _entriesSinceCheckpoint = 0;
        _bytesSinceCheckpoint = 0;
        AfterPersisted(rd, sent: false, appliedEarly: 0);
        Stash.UnstashAll();
    }

    private void OnCheckpointFailed(SaveSnapshotFailure failure)
    {
        var checkpoint = _checkpointInProgress;
        _checkpointInProgress = null;
        if (checkpoint is { IsInstall: false }) _checkpointGate.Exit(PersistenceId);
        if (checkpoint is { IsInstall: true })
            throw new InvalidOperationException($"replica {GroupId}/{Me} could not persist a snapshot from the leader", failure.Cause);
        _log.Warning("Replica {0}/{1}: saving a checkpoint failed: {2}", GroupId, Me, failure.Cause.Message);
        if (_installing is not null) SaveInstall();
    }

    private void StartSnapshotTransfer(SnapshotRequest request)
    {
        var core = _core!;
        if (_outgoing.ContainsKey(request.To)) return;
        var snapshot = SnapshotToShip(request.Metadata.Index);
        if (snapshot is null)
        {
            core.ReportSnapshotStatus(request.To, delivered: false);
            return;
        }
        var outgoing = new OutgoingSnapshot(snapshot, request.Term, _ticks);
        _outgoing[request.To] = outgoing;
        _log.Info("Replica {0}/{1} sending snapshot at {2} ({3} bytes) to {4}", GroupId, Me, snapshot.Metadata.Index, snapshot.Data.Length, request.To);
        SendChunk(request.To, outgoing);
    }

    /// <summary>
    /// A snapshot at least as new as <paramref name="atLeast"/>: the one already on its way to another follower if it
    /// is new enough, else a fresh one of the state as applied now (committed by definition, and covering at least
    /// what the core asked for, since the core only names snapshots of applied state). Null while none can be made.
    /// </summary>
    private HeldSnapshot? SnapshotToShip(long atLeast)
    {
        foreach (var o in _outgoing.Values)
            if (o.Snapshot.Metadata.Index >= atLeast) return o.Snapshot;
        var core = _core!;
        var meta = core.SnapshotMetadataAt(core.AppliedIndex);
        if (meta is null || meta.Index < atLeast) return null;
        return new HeldSnapshot(meta, _app!.TakeSnapshot());
    }

    private void SendChunk(string to, OutgoingSnapshot o)
    {
        var total = o.Snapshot.Data.Length;
        var length = (int)Math.Min(_settings.Raft.SnapshotChunkBytes, total - o.Offset);
        o.LastSentLength = length;
        var chunk = new SnapshotChunk(GroupId, Me, to, o.Term, o.Snapshot.Metadata, o.Offset, total,
            o.Snapshot.Data.Slice((int)o.Offset, length));
        _transport.Send(to, GroupId, chunk, Self);
    }

    private void OnSnapshotChunkAck(SnapshotChunkAck ack)
    {
        if (!_outgoing.TryGetValue(ack.From, out var o) || ack.SnapshotIndex != o.Snapshot.Metadata.Index) return;
        if (ack.NextOffset != o.Offset + o.LastSentLength) return; // a duplicate or stale acknowledgement
        o.Offset = ack.NextOffset;
        o.LastProgressTick = _ticks;
        if (o.Offset >= o.Snapshot.Data.Length)
        {
            _outgoing.Remove(ack.From);
            _core!.ReportSnapshotStatus(ack.From, delivered: true);
            return;
        }
        SendChunk(ack.From, o);
    }

    private void CheckSnapshotTransfers()
    {
        if (_outgoing.Count == 0) return;
        var core = _core!;
        foreach (var (to, o) in _outgoing.ToList())
        {
            if (core.IsLeader && core.Term == o.Term && _ticks - o.LastProgressTick <= _settings.Raft.SnapshotChunkTimeoutTicks) continue;
            _outgoing.Remove(to);
            core.ReportSnapshotStatus(to, delivered: false);
            _log.Warning("Replica {0}/{1}: snapshot transfer to {2} abandoned at offset {3} of {4}", GroupId, Me, to, o.Offset, o.Snapshot.Data.Length);
        }
    }

    private void OnSnapshotChunk(SnapshotChunk c)
    {
        var core = _core!;
        if (c.Term < core.Term || c.To != Me) return;
        if (c.Offset == 0)
        {
            if (c.TotalLength > _settings.Raft.MaxSnapshotBytes || c.TotalLength < 0)
            {
                _log.Error("Replica {0}/{1}: refusing a {2}-byte snapshot (limit {3})", GroupId, Me, c.TotalLength, _settings.Raft.MaxSnapshotBytes);
                return;
            }
            _incoming = new IncomingSnapshot(c.From, c.Metadata, new byte[c.TotalLength]);
        }
        var inc = _incoming;
        if (inc is null || inc.From != c.From || inc.Metadata.Index != c.Metadata.Index || inc.Received != c.Offset) return;
        if (c.Offset + c.Data.Length > inc.Buffer.Length) { _incoming = null; return; }
        c.Data.Span.CopyTo(inc.Buffer.AsSpan((int)c.Offset));
        inc.Received += c.Data.Length;
        _transport.Send(c.From, GroupId, new SnapshotChunkAck(GroupId, Me, c.From, c.Term, c.Metadata.Index, inc.Received), Self);
        if (inc.Received < inc.Buffer.Length) return;
        _incoming = null;
        core.Step(new SnapshotRequest(c.From, Me, c.Term, c.Metadata, inc.Buffer));
    }
}
