using Kahuna.Raft.StateMachine;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// A committed log entry holds a command type this version of Kahuna does not know: a newer node proposed it (a
/// cluster of mixed versions). Applying anything else in its place would make this replica's state differ from the
/// newer replicas', so the replica stops here, and its host tries it again from disk now and then until this node is
/// upgraded (see <see cref="ReplicaCannotApplyException"/>).
/// </summary>
public sealed class UnknownCommandException(long index, long tag) : ReplicaCannotApplyException(
    $"log entry {index} holds partition command type {tag}, which this version of Kahuna does not know (a newer node " +
    "proposed it); the replica stops here rather than skip it and differ from the newer replicas: upgrade this node")
{
    /// <summary>The log index of the entry.</summary>
    public override long Index { get; } = index;

    /// <summary>The unknown command tag.</summary>
    public long Tag { get; } = tag;
}
