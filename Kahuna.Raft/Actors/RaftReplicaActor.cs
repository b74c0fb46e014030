using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using Akka.Persistence;
using Kahuna.Raft.Core;
using Kahuna.Raft.Persistence;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Raft.Actors;

/// <summary>
/// Hosts one replica of one Raft group on this node: thin glue around <see cref="RaftNode"/>. A timer drives ticks,
/// peers' messages are stepped in, and each Ready is persisted as one journal event before anything that depends
/// on it is sent or applied (Persist holds back further commands until the write is durable). Committed entries go
/// to the hosted <see cref="IReplicaApplication"/>. Snapshots go to the snapshot store, after which the journal
/// below them is deleted.
/// </summary>
public sealed partial class RaftReplicaActor : UntypedPersistentActor, IWithTimers
{
    private readonly RaftReplicaSettings _settings;
    private readonly Func<IReplicaApplication> _applicationFactory;
    private readonly IRaftTransport _transport;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly RaftRecovery _recovery = new();
    private readonly Stopwatch _recoveryClock = Stopwatch.StartNew();
    private readonly long _tickLength;
    private readonly CheckpointGate _checkpointGate;

    // A stall longer than this (hours of ticks) is counted as this long: the lease is long gone by then either way.
    private const long MaxTicksAtOnce = 100_000;

    private RaftNode? _core;
    private IReplicaApplication? _app;
    private bool _readyScheduled;
    private bool _loggedLeading;
    private long _lastTickAt;
    private long _ticks;
    private double _recoveryMillis;

    public RaftReplicaActor(RaftReplicaSettings settings, Func<IReplicaApplication> application, IRaftTransport transport,
        CheckpointGate? checkpoints = null)
    {
        _settings = settings;
        _checkpointGate = checkpoints ?? new CheckpointGate(1);
        _applicationFactory = application;
        _transport = transport;
        _tickLength = (long)(settings.Raft.TickInterval.TotalSeconds * Stopwatch.Frequency);
        if (settings.Raft.JournalPluginId.Length > 0) JournalPluginId = settings.Raft.JournalPluginId;
        if (settings.Raft.SnapshotPluginId.Length > 0) SnapshotPluginId = settings.Raft.SnapshotPluginId;
    }

    public override string PersistenceId => _settings.PersistenceId;
    public ITimerScheduler Timers { get; set; } = null!;

    private string GroupId => _settings.GroupId;
    private string Me => _settings.ReplicaId;

    protected override void OnRecover(object message)
    {
        switch (message)
        {
            case SnapshotOffer { Snapshot: ReplicaCheckpoint checkpoint }:
                _recovery.Offer(checkpoint);
                break;
            case IRaftJournalEvent e:
                _recovery.Apply(e);
                break;
            case RecoveryCompleted:
                Start();
                break;
        }
    }

    private void Start()
    {
        var fallback = _settings.InitialConfiguration is { } initial
            ? RaftStorageState.Bootstrap(initial)
            : RaftStorageState.Joining();
        var storage = _recovery.ToStorageState(fallback);
        _core = new RaftNode(_settings.Raft.ToOptions(Me, new SeededRandom()), storage);
        _app = _applicationFactory();
        if (storage.Snapshot.Index > 0)
        {
            _app.RestoreSnapshot(_recovery.StateMachine);
            _lastCheckpointBytes = _recovery.StateMachine.Length;
            _savedSnapshot = storage.Snapshot;
        }
        _persistedHardState = storage.HardState;
        _app.Attach(new Host(this));
        if (_recovery.EntriesReplayed > 0)
        {
            var seconds = Math.Max(_recoveryClock.Elapsed.TotalSeconds, 1e-6);
            _log.Info($"Replica {GroupId}/{Me} recovered {_recovery.EventsReplayed} events, {_recovery.EntriesReplayed} entries in " +
                      $"{seconds:F3}s ({_recovery.EntriesReplayed / seconds:F0} entries/s); log [{_core.FirstIndex}..{_core.LastIndex}]");
        }
        if (storage.HardState.Commit > _core.LastIndex)
            _log.Warning($"Replica {GroupId}/{Me}: the journal records commit index {storage.HardState.Commit} but holds entries " +
                         $"only up to {_core.LastIndex}; it lost entries it had acknowledged (a torn or rolled-back journal) and " +
                         (_core.MissesCommittedEntries
                             ? "will not campaign, and will vote only for a candidate that must hold them, until a leader has sent them again " +
                               "(kahuna.raft.vote-despite-lost-entries = on overrides that, accepting the loss)"
                             : "will fetch them again from the leader"));
        RecoveredEntries = _recovery.EntriesReplayed;
        // The core and the state machine have what they need: let the replayed bytes go.
        _recovery.Release();
        _recoveryMillis = _recoveryClock.Elapsed.TotalMilliseconds;
        if (!_recovery.HasState && _settings.InitialConfiguration is { } config)
            Persist(new ReplicaBootstrapped(config), _ => { });
        // A sole voter has nobody to wait for: it campaigns now rather than after an election timeout, 1-2 s that a
        // single-node start or restart would otherwise spend serving nothing (etcd advances a lone member's ticks alike).
        if (_core.IsSoleVoter) _core.Campaign();
        _lastTickAt = Stopwatch.GetTimestamp();
        Timers.StartPeriodicTimer("tick", Tick.Instance, _settings.Raft.TickInterval);
        ScheduleReady();
    }

    /// <summary>Entries replayed from the journal at start (reported by status for recovery measurements).</summary>
    private long RecoveredEntries { get; set; }

    protected override void OnCommand(object message)
    {
        if (_core is null) return;
        switch (message)
        {
            case RaftEnvelope envelope:
                _core.Step(envelope.Message);
                break;
            case ProcessReady:
                _readyScheduled = false;
                ProcessReadyNow();
                return;
            case Tick:
                OnTick();
                break;
            case SnapshotChunk chunk:
                OnSnapshotChunk(chunk);
                break;
            case SnapshotChunkAck ack:
                OnSnapshotChunkAck(ack);
                break;
            case SaveSnapshotSuccess success:
                OnCheckpointSaved(success.Metadata);
                break;
            case SaveSnapshotFailure failure:
                OnCheckpointFailed(failure);
                break;
            case DeleteMessagesSuccess or DeleteSnapshotsSuccess:
                break;
            case DeleteMessagesFailure f:
                _log.Warning("Replica {0}/{1}: deleting journal below {2} failed: {3}", GroupId, Me, f.ToSequenceNr, f.Cause.Message);
                break;
            case DeleteSnapshotsFailure f:
                _log.Warning("Replica {0}/{1}: deleting old snapshots failed: {2}", GroupId, Me, f.Cause.Message);
                break;
            case GetStatus:
                Sender.Tell(new ReplicaStatus(GroupId, _core.Status(), LastSequenceNr, _savedSnapshot?.Index ?? 0, _proposals.Count,
                    RecoveredEntries, _recoveryMillis));
                return;
            case ChangeMembership change:
                var result = _core.ProposeConfigChange(change.Change, out var error);
                Sender.Tell(new ConfigChangeResult(result.Status, error));
                break;
            case RaftReplicaProtocol.TransferLeadership transfer:
                _core.TransferLeadership(transfer.Target);
                break;
            default:
                _app!.Handle(message, Sender);
                break;
        }
        ScheduleReady();
    }

    /// <summary>
    /// Counts the ticks due by a monotonic clock, so a replica whose timer fired late still sees real time pass (lease
    /// reads depend on that), and whose timer fired early, or whose tick messages piled up while a write held its
    /// mailbox, does not count time twice: the part of a tick not yet due carries over to the next message. A burst
    /// after a stall goes to the core as one call, which counts the time but leaves the decisions it would take
    /// (campaign, check-quorum) to the next tick, after the messages of the stall are stepped (RaftNode.Tick(int)).
    /// </summary>
    private void OnTick()
    {
        var now = Stopwatch.GetTimestamp();
        var length = Math.Max(1, _tickLength);
        var due = (now - _lastTickAt) / length;
        if (due > MaxTicksAtOnce)
        {
            due = MaxTicksAtOnce;
            _lastTickAt = now;
        }
        else
        {
            _lastTickAt += due * length;
        }
        if (due > 0)
        {
            _core!.Tick((int)due);
            _ticks += due;
            _app!.OnTick();
        }
        CheckSnapshotTransfers();
        ExpireStaleProposals();
        // A checkpoint that came due while the node's gate was full, on a replica that has gone quiet since.
        MaybeCheckpoint();
    }

    /// <summary>Batches work: one Ready per burst of messages, processed after everything already in the mailbox.</summary>
    private void ScheduleReady()
    {
        if (_readyScheduled || _core is null || !_core.HasReady()) return;
        _readyScheduled = true;
        Self.Tell(ProcessReady.Instance);
    }

    protected override void PostStop()
    {
        // A checkpoint in flight dies with the actor: its place at the node's gate must not.
        _checkpointGate.Exit(PersistenceId);
        base.PostStop();
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.Error(cause, "Replica {0}/{1}: the journal failed to persist a Raft batch; stopping (the host restarts it from disk)", GroupId, Me);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.Error(reason, "Replica {0}/{1}: recovery failed; refusing to start rather than serve wrong data", GroupId, Me);
        base.OnRecoveryFailure(reason, message);
    }
}

/// <summary>Per-replica randomness for election timeouts (never the shared generator, so replicas do not correlate).</summary>
internal sealed class SeededRandom : Core.IRaftRandom
{
    private readonly Random _random = new(Guid.NewGuid().GetHashCode());
    public int Next(int maxExclusive) => _random.Next(maxExclusive);
}
