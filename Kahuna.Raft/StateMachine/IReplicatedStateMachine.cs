namespace Kahuna.Raft.StateMachine;

/// <summary>
/// The application side of a Raft group (hashicorp's FSM shape). The replica calls it only for
/// committed entries, in log order, on the replica actor's thread.
/// </summary>
/// <remarks>
/// Implementations must be deterministic: no clock, no I/O, no randomness. Anything time based
/// (lock expiry, TTL) comes from a timestamp the leader stamped into the command when it proposed it.
/// </remarks>
public interface IReplicatedStateMachine
{
    /// <summary>Applies one committed command and returns the result for the proposer (null when none).</summary>
    object? Apply(long index, ReadOnlyMemory<byte> command);

    /// <summary>Serializes the whole state as of the last applied entry.</summary>
    byte[] TakeSnapshot();

    /// <summary>Replaces the whole state with a snapshot taken by <see cref="TakeSnapshot"/> (possibly on another replica).</summary>
    void RestoreSnapshot(ReadOnlyMemory<byte> snapshot);
}
