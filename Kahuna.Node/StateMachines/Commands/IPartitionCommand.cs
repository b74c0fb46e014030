using MessagePack;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// A command in a partition's replicated log. These types are the on-disk format of the log:
/// they are deliberately separate from the wire types of Kahuna.Protocol, so changing the protocol
/// never changes data already written.
/// </summary>
/// <remarks>
/// Every union tag the log has ever used is listed here, in one place. Tags are append-only:
/// never renumber one, never reuse a retired one. Field keys inside a command are append-only too.
/// </remarks>
[Union(PartitionCommandTags.TryLock, typeof(TryLockCommand))]
[Union(PartitionCommandTags.ExtendLock, typeof(ExtendLockCommand))]
[Union(PartitionCommandTags.Unlock, typeof(UnlockCommand))]
[Union(PartitionCommandTags.ExpireLocks, typeof(ExpireLocksCommand))]
[Union(PartitionCommandTags.SetKeyValue, typeof(SetKeyValueCommand))]
[Union(PartitionCommandTags.DeleteKeyValue, typeof(DeleteKeyValueCommand))]
[Union(PartitionCommandTags.ExtendKeyValue, typeof(ExtendKeyValueCommand))]
[Union(PartitionCommandTags.ExpireKeys, typeof(ExpireKeysCommand))]
[Union(PartitionCommandTags.SetManyKeyValues, typeof(SetManyKeyValuesCommand))]
[Union(PartitionCommandTags.DeleteManyKeyValues, typeof(DeleteManyKeyValuesCommand))]
[Union(PartitionCommandTags.NextSequence, typeof(NextSequenceCommand))]
[Union(PartitionCommandTags.ReserveSequenceBlock, typeof(ReserveSequenceBlockCommand))]
public interface IPartitionCommand
{
    /// <summary>Unix milliseconds stamped by the leader when it proposed the command; the only clock the state machine knows.</summary>
    long TimestampMs { get; }
}

/// <summary>A command that changes client-visible state and may be retried by a client, so it is de-duplicated per client session.</summary>
public interface IWriteCommand : IPartitionCommand
{
    /// <summary>Who sent it and its per-client sequence; null for writes that need no de-duplication.</summary>
    OperationId? Operation { get; }

    /// <summary>The client's floor: every sequence below it has completed, so their remembered results may be forgotten.</summary>
    long CompletedBelow { get; }
}

/// <summary>Marker for commands applied to the lock store.</summary>
public interface ILockCommand : IPartitionCommand;

/// <summary>Marker for commands applied to the key/value store.</summary>
public interface IKeyValueCommand : IPartitionCommand;

/// <summary>Marker for commands applied to the sequence store.</summary>
public interface ISequenceCommand : IPartitionCommand;

/// <summary>The union tags of <see cref="IPartitionCommand"/>. Append only.</summary>
public static class PartitionCommandTags
{
    public const int TryLock = 1;
    public const int ExtendLock = 2;
    public const int Unlock = 3;
    public const int ExpireLocks = 4;

    public const int SetKeyValue = 20;
    public const int DeleteKeyValue = 21;
    public const int ExtendKeyValue = 22;
    public const int ExpireKeys = 23;
    public const int SetManyKeyValues = 24;
    public const int DeleteManyKeyValues = 25;

    public const int NextSequence = 40;
    public const int ReserveSequenceBlock = 41;
}
