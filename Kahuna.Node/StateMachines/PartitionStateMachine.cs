using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Locks;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Node.StateMachines.Sessions;
using Kahuna.Protocol;
using Kahuna.Raft.StateMachine;

namespace Kahuna.Node.StateMachines;

/// <summary>
/// The state one partition replicates: locks, key/value, sequences, and the client-session table that
/// de-duplicates retried writes. Plain and deterministic: no clock, no I/O, no randomness, no Akka.
/// </summary>
/// <remarks>
/// <para><b>Time</b>: every command carries the leader's timestamp; the machine's <see cref="NowMs"/> is the largest
/// timestamp applied so far, so it never goes backwards even if leaders' clocks disagree.</para>
/// <para><b>Two ways in</b>: <see cref="Apply"/> takes encoded commands from the Raft log (persistent keyspace);
/// <see cref="Execute"/> takes a command object directly, for the ephemeral keyspace the leader keeps in memory
/// (same stores, same sessions, no log).</para>
/// <para><b>Reads</b> are not commands: call the stores' query methods (<see cref="LockStore.GetLock"/>,
/// <see cref="KeyValueStore.Get(string, long)"/>, …) with the leader's now, after the host has confirmed leadership.</para>
/// <para>Not thread-safe: the replica (or the ephemeral host) calls it from one thread, reads included.</para>
/// <para>Do not keep references to the stores across <see cref="RestoreSnapshot"/>: they are reloaded in place,
/// so the references stay valid, but whatever was read from them is stale.</para>
/// </remarks>
public sealed partial class PartitionStateMachine : IReplicatedStateMachine
{
    private readonly PartitionStateMachineOptions _options;

    public PartitionStateMachine(PartitionStateMachineOptions? options = null)
    {
        _options = options ?? new PartitionStateMachineOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.GarbageBudgetPerCommand, 1, nameof(options));
        Locks = new LockStore(_options.InitialFencingToken);
        KeyValues = new KeyValueStore(_options.KeyValues);
        Sequences = new SequenceStore(_options.Sequences);
        Sessions = new ClientSessionTable(_options.Sessions);
    }

    public LockStore Locks { get; }

    public KeyValueStore KeyValues { get; }

    public SequenceStore Sequences { get; }

    public ClientSessionTable Sessions { get; }

    /// <summary>The largest command timestamp applied so far (unix ms).</summary>
    public long NowMs { get; private set; }

    /// <summary>The log index of the last command applied through <see cref="Apply"/>.</summary>
    public long LastAppliedIndex { get; private set; }

    /// <summary>
    /// Applies the committed command at <paramref name="index"/>. An index at or below <see cref="LastAppliedIndex"/>
    /// was already applied (a replay after a restart or a snapshot): it is ignored and answers null. Bytes that are
    /// not a command change nothing and answer a <see cref="CommandRejectedResult"/>, identically on every replica.
    /// A well-formed command of a type this version does not know throws <see cref="UnknownCommandException"/> and
    /// applies nothing, not even the index: replicas of newer versions apply it, so skipping it here would make this
    /// replica's state differ from theirs. The replica stops at it instead, until a newer version replays it.
    /// </summary>
    public object? Apply(long index, ReadOnlyMemory<byte> command)
    {
        if (index <= LastAppliedIndex)
        {
            return null;
        }

        if (!PartitionCommandCodec.TryDecode(command, out var decoded, out var error))
        {
            if (PartitionCommandCodec.IsOfUnknownType(command, out var tag))
            {
                throw new UnknownCommandException(index, tag);
            }

            LastAppliedIndex = index;
            return new CommandRejectedResult(KahunaStatus.InvalidInput, "not a partition command: " + error);
        }

        LastAppliedIndex = index;
        return Execute(decoded);
    }

    /// <summary>Applies a command object (the ephemeral path, and <see cref="Apply"/> after decoding).</summary>
    public IPartitionResult Execute(IPartitionCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        NowMs = Math.Max(NowMs, command.TimestampMs);
        var result = command is IWriteCommand { Operation: { } operation } write
            ? ExecuteOnce(operation, write)
            : Dispatch(command);
        CollectGarbage();
        return result;
    }

    private IPartitionResult ExecuteOnce(OperationId operation, IWriteCommand write)
    {
        var check = Sessions.Check(operation, write.CompletedBelow, NowMs);
        switch (check.Outcome)
        {
            case SessionCheckOutcome.Duplicate:
                return check.Remembered!;
            case SessionCheckOutcome.Forgotten:
                return new CommandRejectedResult(
                    KahunaStatus.OutcomeUnknown,
                    "this write may already have been applied, and its answer is no longer remembered (retried too late)");
            default:
                var result = Dispatch(write);
                Sessions.Remember(operation, result);
                return result;
        }
    }

    private IPartitionResult Dispatch(IPartitionCommand command) => command switch
    {
        TryLockCommand c => Locks.TryLock(c.Resource, c.Owner, c.LeaseMs, NowMs),
        ExtendLockCommand c => Locks.Extend(c.Resource, c.Owner, c.LeaseMs, NowMs),
        UnlockCommand c => Locks.Unlock(c.Resource, c.Owner, NowMs),
        ExpireLocksCommand c => Locks.ExpireLocks(c.Resources, NowMs),
        SetKeyValueCommand c => KeyValues.Set(c.Key, c.Value, c.TtlMs, c.Conditions, c.CompareValue, c.CompareRevision, NowMs),
        DeleteKeyValueCommand c => KeyValues.Delete(c.Key, c.CompareValue, c.CompareRevision, NowMs),
        ExtendKeyValueCommand c => KeyValues.Extend(c.Key, c.TtlMs, NowMs),
        ExpireKeysCommand c => KeyValues.ExpireKeys(c.Keys, NowMs),
        SetManyKeyValuesCommand c => KeyValues.SetMany(c.Writes, NowMs),
        DeleteManyKeyValuesCommand c => KeyValues.DeleteMany(c.Keys, NowMs),
        NextSequenceCommand c => Sequences.Next(c.Name, c.Count, c.IdempotencyKey, NowMs),
        ReserveSequenceBlockCommand c => Sequences.ReserveBlock(c.Name, c.BlockSize),
        _ => new CommandRejectedResult(KahunaStatus.InvalidInput, "unknown command " + command.GetType().Name),
    };

    /// <summary>Bounded, deterministic housekeeping after each command: history, tombstones, idempotency records, sessions.</summary>
    private void CollectGarbage()
    {
        var budget = _options.GarbageBudgetPerCommand;
        KeyValues.CollectGarbage(NowMs, budget);
        Sequences.CollectGarbage(NowMs, budget);
        Sessions.CollectGarbage(NowMs, budget);
    }
}
