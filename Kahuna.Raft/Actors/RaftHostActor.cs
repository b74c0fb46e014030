using Akka.Actor;
using Akka.Event;

namespace Kahuna.Raft.Actors;

/// <summary>Messages of the per-node <see cref="RaftHostActor"/>.</summary>
public static class RaftHostProtocol
{
    /// <summary>The well-known name of the host under /user: peers address replicas as /user/raft/{groupId}.</summary>
    public const string Name = "raft";

    /// <summary>Start (or confirm) the replica of a group on this node; answered with <see cref="ReplicaStarted"/>.</summary>
    public sealed record StartReplica(RaftReplicaSettings Settings, Func<IReplicaApplication> Application);

    public sealed record ReplicaStarted(string GroupId, IActorRef Replica);

    /// <summary>Stop the replica of a group on this node (its data stays on disk); answered with <see cref="ReplicaStopped"/>.</summary>
    public sealed record StopReplica(string GroupId);

    public sealed record ReplicaStopped(string GroupId);

    public sealed record GetReplicas
    {
        public static readonly GetReplicas Instance = new();
        private GetReplicas() { }
    }

    public sealed record Replicas(IReadOnlyDictionary<string, IActorRef> ByGroup);

    internal sealed record Restart(string GroupId);

    public static Props Props(IRaftTransport transport) => Akka.Actor.Props.Create(() => new RaftHostActor(transport));
}

/// <summary>
/// Parent of every replica on a node. It names each child by its group id, so a peer reaches a replica at a
/// predictable path, and it restarts a replica that stopped (for example after a journal failure) with a back-off,
/// so one bad write does not take a partition off this node for good.
/// </summary>
public sealed class RaftHostActor : ReceiveActor, IWithTimers
{
    private readonly IRaftTransport _transport;
    private readonly Dictionary<string, (RaftHostProtocol.StartReplica Start, IActorRef Ref)> _replicas = new(StringComparer.Ordinal);
    private readonly HashSet<IActorRef> _stopping = new();
    // Groups whose replica stopped at an entry it cannot apply: started again only after the long delay.
    private readonly HashSet<string> _halted = new(StringComparer.Ordinal);
    private readonly ILoggingAdapter _log = Context.GetLogger();
    // One per node: its replicas take checkpoints a few at a time (sized by the first replica's settings).
    private CheckpointGate? _checkpoints;

    public ITimerScheduler Timers { get; set; } = null!;

    public RaftHostActor(IRaftTransport transport)
    {
        _transport = transport;
        Receive<RaftHostProtocol.StartReplica>(start =>
        {
            var groupId = start.Settings.GroupId;
            if (!_replicas.TryGetValue(groupId, out var existing))
            {
                existing = (start, StartChild(start));
                _replicas[groupId] = existing;
            }
            Sender.Tell(new RaftHostProtocol.ReplicaStarted(groupId, existing.Ref));
        });
        Receive<RaftHostProtocol.StopReplica>(stop =>
        {
            if (_replicas.Remove(stop.GroupId, out var entry))
            {
                _stopping.Add(entry.Ref);
                Context.Stop(entry.Ref);
            }
            Sender.Tell(new RaftHostProtocol.ReplicaStopped(stop.GroupId));
        });
        Receive<RaftReplicaProtocol.RaftEnvelopeBatch>(batch =>
        {
            // Messages of many groups from one peer node (their outbox); a group not hosted here drops its message,
            // as a lost message that Raft retries.
            foreach (var envelope in batch.Envelopes)
                if (_replicas.TryGetValue(envelope.GroupId, out var entry)) entry.Ref.Tell(envelope, ActorRefs.NoSender);
        });
        Receive<RaftHostProtocol.GetReplicas>(_ =>
            Sender.Tell(new RaftHostProtocol.Replicas(_replicas.ToDictionary(kv => kv.Key, kv => kv.Value.Ref))));
        Receive<Terminated>(t =>
        {
            if (_stopping.Remove(t.ActorRef)) return;
            var entry = _replicas.FirstOrDefault(kv => kv.Value.Ref.Equals(t.ActorRef));
            if (entry.Key is null) return;
            var delay = _halted.Remove(entry.Key) ? entry.Value.Start.Settings.Raft.HaltedRestartDelay : TimeSpan.FromSeconds(1);
            _log.Warning("Replica {0} stopped; starting it again from disk in {1}", entry.Key, delay);
            Timers.StartSingleTimer($"restart-{entry.Key}", new RaftHostProtocol.Restart(entry.Key), delay);
        });
        Receive<RaftHostProtocol.Restart>(r =>
        {
            // Still wanted (not stopped on purpose meanwhile): start it again; Terminated freed its name.
            if (_replicas.TryGetValue(r.GroupId, out var entry)) _replicas[r.GroupId] = (entry.Start, StartChild(entry.Start));
        });
    }

    private IActorRef StartChild(RaftHostProtocol.StartReplica start)
    {
        _checkpoints ??= new CheckpointGate(start.Settings.Raft.MaxConcurrentCheckpoints);
        var child = Context.ActorOf(RaftReplicaProtocol.Props(start.Settings, start.Application, _transport, _checkpoints), start.Settings.GroupId);
        Context.Watch(child);
        return child;
    }

    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(10, TimeSpan.FromMinutes(1), Decide);

    private Directive Decide(Exception failure)
    {
        if (failure is ReplicaHaltedException halted)
        {
            // Each restart would replay the journal into the same entry and fail again: stop, and try much later.
            _halted.Add(halted.GroupId);
            _log.Error(failure, "{0}; it stays stopped until it is started again (kahuna.raft.halted-restart-delay)", failure.Message);
            return Directive.Stop;
        }
        // A replica that throws restarts from its journal: the persisted state is the truth.
        return Directive.Restart;
    }
}
