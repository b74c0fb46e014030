using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Node.StateMachines.Sessions;

namespace Kahuna.Node.StateMachines;

/// <summary>
/// Settings of a <see cref="PartitionStateMachine"/>. Everything here except <see cref="InitialFencingToken"/> decides
/// replicated state, so it must be the same on every replica of a partition.
/// </summary>
public sealed record PartitionStateMachineOptions
{
    public KeyValueStoreOptions KeyValues { get; init; } = new();

    public SequenceStoreOptions Sequences { get; init; } = new();

    public ClientSessionOptions Sessions { get; init; } = new();

    /// <summary>
    /// Where the lock store's fencing counter starts (first token = this + 1). 0 for replicated partitions (the counter is
    /// in the snapshots); for the ephemeral keyspace the host seeds it with e.g. <c>term &lt;&lt; 32</c> so tokens keep
    /// increasing across leader changes although the ephemeral state is lost. Ignored by a snapshot restore.
    /// </summary>
    public long InitialFencingToken { get; init; }

    /// <summary>Most entries each store may garbage-collect after one command (keeps each apply short).</summary>
    public int GarbageBudgetPerCommand { get; init; } = 32;
}
