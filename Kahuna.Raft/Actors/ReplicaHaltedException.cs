using Kahuna.Raft.StateMachine;

namespace Kahuna.Raft.Actors;

/// <summary>
/// A replica's application could not apply a committed entry (<see cref="ReplicaCannotApplyException"/>): the replica
/// fails with this, naming itself, so that its host stops it instead of restarting it at once into the same entry.
/// </summary>
public sealed class ReplicaHaltedException(string groupId, string replicaId, ReplicaCannotApplyException cause)
    : Exception($"replica {groupId}/{replicaId} stops at log entry {cause.Index}: {cause.Message}", cause)
{
    /// <summary>The Raft group of the replica.</summary>
    public string GroupId { get; } = groupId;
}
