using System.Collections.Immutable;

namespace Kahuna.Raft.Core;

/// <summary>The role a replica plays in its group right now.</summary>
public enum RaftRole : byte
{
    Follower = 0,
    /// <summary>Asking for pre-votes (Raft thesis §9.6) before disturbing anyone's term.</summary>
    PreCandidate = 1,
    Candidate = 2,
    Leader = 3,
}

/// <summary>What a replica must persist before it answers anyone: its term, its vote and its commit index.</summary>
public readonly record struct HardState(long Term, string? VotedFor, long Commit)
{
    public static readonly HardState Empty = new(0, null, 0);
}

/// <summary>Volatile state reported to the host when it changes (never persisted).</summary>
public readonly record struct SoftState(string? Leader, RaftRole Role);

/// <summary>
/// One log entry. A normal entry carries the application's command in <see cref="Data"/> (empty for the
/// leader's no-op); a configuration entry carries the group's complete new membership.
/// </summary>
public sealed record LogEntry(long Index, long Term, ReadOnlyMemory<byte> Data, RaftConfiguration? Configuration = null)
{
    public bool IsConfiguration => Configuration is not null;

    /// <summary>Approximate bytes the entry costs in messages and memory (payload plus fixed overhead).</summary>
    public long Size => Data.Length + 24 + (Configuration is null ? 0 : 16 * Configuration.Count);
}

/// <summary>Describes a snapshot: the last index and term it covers and the membership as of that index.</summary>
public sealed record SnapshotMetadata(long Index, long Term, RaftConfiguration Configuration);

/// <summary>A snapshot as the core sees it: metadata plus the state machine's opaque bytes.</summary>
public sealed record RaftSnapshot(SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data);

/// <summary>A linearizable read that may now be served once the state machine has applied <see cref="Index"/>.</summary>
public readonly record struct ReadState(long Context, long Index);

/// <summary>Outcome of a proposal handed to the core.</summary>
public enum ProposeStatus : byte
{
    /// <summary>Appended to the leader's log at the returned index and term (not yet committed).</summary>
    Accepted = 0,
    /// <summary>This replica is not the leader; the hint says who is, when known.</summary>
    NotLeader = 1,
    /// <summary>The leader is handing leadership over and takes no new proposals until it is done.</summary>
    TransferInProgress = 2,
    /// <summary>Too many uncommitted bytes are waiting; the caller should back off.</summary>
    Overloaded = 3,
    /// <summary>A configuration change cannot be accepted now (another is pending, or it is invalid).</summary>
    Rejected = 4,
}

/// <summary>Where a proposal went: on success the (index, term) it will be committed at, if ever.</summary>
public readonly record struct ProposeResult(ProposeStatus Status, long Index, long Term, string? LeaderHint)
{
    public bool Accepted => Status == ProposeStatus.Accepted;
}

/// <summary>A read-only view of a replica for hosts, tests and status commands.</summary>
public sealed record RaftStatus(
    string Id,
    RaftRole Role,
    long Term,
    string? Leader,
    long Commit,
    long Applied,
    long FirstIndex,
    long LastIndex,
    long StableIndex,
    RaftConfiguration Configuration,
    ImmutableDictionary<string, long> MatchIndexes,
    long LostEntriesUpTo = 0);
