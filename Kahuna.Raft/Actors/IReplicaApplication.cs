using Akka.Actor;
using Kahuna.Raft.Core;
using Kahuna.Raft.StateMachine;

namespace Kahuna.Raft.Actors;

/// <summary>Why a proposal or read did not go through (the caller decides whether to retry elsewhere).</summary>
public readonly record struct ReplicaFailure(ProposeStatus Status, string? LeaderHint, string Reason);

/// <summary>
/// What the replica actor offers the application it hosts. Every method must be called on the actor's thread
/// (from inside <see cref="IReplicaApplication"/> callbacks), and every callback runs on it too.
/// </summary>
public interface IReplicaHost
{
    string GroupId { get; }
    string ReplicaId { get; }
    RaftRole Role { get; }
    long Term { get; }
    string? Leader { get; }
    bool IsLeader { get; }
    long AppliedIndex { get; }
    RaftConfiguration Configuration { get; }

    /// <summary>True once this leader has committed an entry of its own term.</summary>
    bool CommittedInCurrentTerm { get; }

    /// <summary>On a leader: the term of the last entry before its own first entry; 0 if no earlier leader ever wrote.</summary>
    long TermBeforeLeadership { get; }
    IActorRef Self { get; }

    /// <summary>
    /// Replicates a command. <paramref name="onApplied"/> runs with the state machine's result once the entry is
    /// committed and applied here; <paramref name="onFailed"/> runs if it is refused or lost to a leader change.
    /// </summary>
    void Propose(ReadOnlyMemory<byte> command, Action<object?> onApplied, Action<ReplicaFailure> onFailed);

    /// <summary>Runs <paramref name="onReadable"/> once a linearizable read may be served from the state machine (ReadIndex or lease).</summary>
    void ReadIndex(Action onReadable, Action<ReplicaFailure> onFailed);

    /// <summary>Asks the core to hand leadership to another voter (thesis §3.10).</summary>
    bool TransferLeadership(string target);

    /// <summary>Proposes a one-replica membership change.</summary>
    ProposeResult ProposeConfigChange(ConfigChange change, out string? error);
}

/// <summary>
/// The application a replica hosts (Kahuna.Node plugs its partition state machines in here). The replicated part
/// is <see cref="IReplicatedStateMachine"/>; the rest lets it serve requests on the leader.
/// </summary>
public interface IReplicaApplication : IReplicatedStateMachine
{
    /// <summary>Called once, after recovery, before any other callback.</summary>
    void Attach(IReplicaHost host);

    /// <summary>Any message the replica actor receives that is not Raft traffic.</summary>
    void Handle(object message, IActorRef sender);

    /// <summary>This replica's role, term or known leader changed.</summary>
    void OnRoleChanged(RaftRole role, long term, string? leader);

    /// <summary>Called on every Raft tick, after the core ticked (expiry sweeps, lease checks).</summary>
    void OnTick();
}
