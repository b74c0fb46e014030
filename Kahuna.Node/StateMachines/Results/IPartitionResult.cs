using Kahuna.Protocol;
using MessagePack;

namespace Kahuna.Node.StateMachines.Results;

/// <summary>
/// What applying a command answers. Results are remembered per client session for de-duplication and so
/// are part of snapshots: the union tags below are an on-disk format, append only, never renumbered.
/// </summary>
[Union(PartitionResultTags.Lock, typeof(LockResult))]
[Union(PartitionResultTags.KeyValue, typeof(KeyValueResult))]
[Union(PartitionResultTags.SequenceRange, typeof(SequenceRangeResult))]
[Union(PartitionResultTags.ExpiredEntries, typeof(ExpiredEntriesResult))]
[Union(PartitionResultTags.CommandRejected, typeof(CommandRejectedResult))]
[Union(PartitionResultTags.KeyValueBatch, typeof(KeyValueBatchResult))]
public interface IPartitionResult
{
    /// <summary>The outcome.</summary>
    KahunaStatus Status { get; }
}

/// <summary>The union tags of <see cref="IPartitionResult"/>. Append only.</summary>
public static class PartitionResultTags
{
    public const int Lock = 1;
    public const int KeyValue = 2;
    public const int SequenceRange = 3;
    public const int ExpiredEntries = 4;
    public const int CommandRejected = 5;
    public const int KeyValueBatch = 6;
}

/// <summary>
/// A lock outcome. Ok/acquired carries the owner, fencing token and expiry; Busy carries the holder's expiry
/// (so a caller can decide when to retry) but neither owner nor token. Other statuses carry nothing.
/// </summary>
[MessagePackObject]
public sealed record LockResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] long FencingToken,
    [property: Key(2)] long ExpiresAtMs,
    [property: Key(3)] byte[]? Owner) : IPartitionResult
{
    public static readonly LockResult NotFound = new(KahunaStatus.NotFound, 0, 0, null);
    public static readonly LockResult NotOwner = new(KahunaStatus.NotOwner, 0, 0, null);
    public static readonly LockResult InvalidInput = new(KahunaStatus.InvalidInput, 0, 0, null);
}

/// <summary>
/// A key/value outcome. <paramref name="Revision"/> is the revision written (Ok on a write), the live revision
/// (PreconditionFailed: 0 when the key is absent) or the revision read. <paramref name="Value"/> only on reads.
/// <paramref name="IsCompacted"/> is true with NotFound when a read at a revision asked for history no longer retained.
/// </summary>
[MessagePackObject]
public sealed record KeyValueResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] long Revision,
    [property: Key(2)] byte[]? Value,
    [property: Key(3)] long ExpiresAtMs,
    [property: Key(4)] long ModifiedAtMs,
    [property: Key(5)] bool IsCompacted) : IPartitionResult
{
    public static readonly KeyValueResult NotFound = new(KahunaStatus.NotFound, 0, null, 0, 0, false);
    public static readonly KeyValueResult Compacted = new(KahunaStatus.NotFound, 0, null, 0, 0, true);
    public static readonly KeyValueResult InvalidInput = new(KahunaStatus.InvalidInput, 0, null, 0, 0, false);

    public static KeyValueResult Written(long revision, long expiresAtMs, long modifiedAtMs) =>
        new(KahunaStatus.Ok, revision, null, expiresAtMs, modifiedAtMs, false);

    public static KeyValueResult PreconditionFailed(long liveRevision) =>
        new(KahunaStatus.PreconditionFailed, liveRevision, null, 0, 0, false);
}

/// <summary>A sequence outcome: on Ok the values [Start, Start + Count) belong to the caller.</summary>
[MessagePackObject]
public sealed record SequenceRangeResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] long Start,
    [property: Key(2)] long Count) : IPartitionResult
{
    /// <summary>One past the last value of the range.</summary>
    [IgnoreMember]
    public long EndExclusive => Start + Count;

    public static readonly SequenceRangeResult InvalidInput = new(KahunaStatus.InvalidInput, 0, 0);
    public static readonly SequenceRangeResult TooLarge = new(KahunaStatus.TooLarge, 0, 0);
}

/// <summary>The outcome of a housekeeping command (ExpireLocks, ExpireKeys): how many entries it removed.</summary>
[MessagePackObject]
public sealed record ExpiredEntriesResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] int Removed) : IPartitionResult;

/// <summary>
/// The command was not applied at all: it could not be decoded, or it is a retry of an operation whose
/// result the partition no longer remembers (below the client's floor, or evicted by a cap).
/// </summary>
[MessagePackObject]
public sealed record CommandRejectedResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] string Reason) : IPartitionResult;

/// <summary>
/// The outcome of several writes or deletes applied together: on Ok the revision each took, in order (for a delete,
/// that of its tombstone, or 0 when the key was absent and nothing was written).
/// </summary>
[MessagePackObject]
public sealed record KeyValueBatchResult(
    [property: Key(0)] KahunaStatus Status,
    [property: Key(1)] long[] Revisions) : IPartitionResult
{
    public static readonly KeyValueBatchResult InvalidInput = new(KahunaStatus.InvalidInput, []);
}
