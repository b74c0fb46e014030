namespace Kahuna.Raft.StateMachine;

/// <summary>
/// Thrown by a replica's application when a committed entry is one it cannot apply, such as a command type of a newer
/// version of the application. Applying anything else in its place would make this replica's state differ from the
/// others', so the replica stops at the entry: its host stops it without the quick restarts other failures get, and
/// starts it again from disk only after <c>kahuna.raft.halted-restart-delay</c> (by then, perhaps, upgraded).
/// </summary>
public abstract class ReplicaCannotApplyException(string message) : Exception(message)
{
    /// <summary>The log index of the entry.</summary>
    public abstract long Index { get; }
}
