namespace Kahuna.Raft.Core;

/// <summary>
/// Everything the host must do after stepping the core, in this order:
/// 1. persist <see cref="Snapshot"/>, <see cref="Entries"/> and <see cref="HardState"/> (fsync when <see cref="MustSync"/>);
/// 2. only then send <see cref="Messages"/> (votes and acknowledgements promise what was persisted);
/// 3. restore the state machine from <see cref="Snapshot"/>, then apply <see cref="CommittedEntries"/> in order (the
///    first <see cref="DurableCommittedCount"/> of them may be applied before step 1);
/// 4. serve each of <see cref="ReadStates"/> once the state machine has applied its index (a quorum confirmed them:
///    when <see cref="MessagesMayGoFirst"/>, this too may happen before step 1);
/// 5. call <see cref="RaftNode.Advance"/>. Step, Tick and Propose may be called between GetReady and Advance;
///    their output goes into the next Ready.
/// </summary>
public sealed class Ready
{
    public static readonly IReadOnlyList<LogEntry> NoEntries = [];

    /// <summary>The leader or role changed since the last Ready (null when not). Never persisted.</summary>
    public SoftState? SoftState { get; init; }

    /// <summary>Term, vote and commit to persist before sending Messages (null when unchanged).</summary>
    public HardState? HardState { get; init; }

    /// <summary>
    /// Entries to persist before sending Messages. When the first one's index is at or below the last persisted
    /// index, the persisted log from that index on is replaced (a follower overwriting a conflicting tail, §5.3).
    /// </summary>
    public IReadOnlyList<LogEntry> Entries { get; init; } = NoEntries;

    /// <summary>A snapshot received from the leader: persist it, then restore the state machine from it before applying CommittedEntries. It replaces the whole persisted log.</summary>
    public RaftSnapshot? Snapshot { get; init; }

    /// <summary>Committed entries to apply in order once persisted (they may overlap Entries).</summary>
    public IReadOnlyList<LogEntry> CommittedEntries { get; init; } = NoEntries;

    /// <summary>
    /// How many of <see cref="CommittedEntries"/>, from the first, this replica had already persisted before this
    /// Ready (none of them among <see cref="Entries"/>). Those may be applied before this Ready's write: they are
    /// committed and on this replica's disk, so the write adds nothing to them (etcd's server applies while it
    /// writes, for the same reason). The rest wait for the write, as step 3 says.
    /// </summary>
    public int DurableCommittedCount { get; init; }

    /// <summary>Messages to send after persisting. Unordered across peers; per peer, send in list order.</summary>
    public IReadOnlyList<RaftMessage> Messages { get; init; } = [];

    /// <summary>Linearizable reads confirmed by a quorum (or by the lease).</summary>
    public IReadOnlyList<ReadState> ReadStates { get; init; } = [];

    /// <summary>True when Entries, Snapshot, term or vote changed, so the write must reach disk (fsync) before Messages go out.</summary>
    public bool MustSync { get; init; }

    /// <summary>
    /// True when <see cref="Messages"/> may be sent before this Ready is persisted: a leader's appends and heartbeats
    /// under a term and vote already on disk (thesis §10.2.1). Everything else still waits for the write.
    /// </summary>
    public bool MessagesMayGoFirst { get; init; }

    public bool IsEmpty =>
        SoftState is null && HardState is null && Entries.Count == 0 && Snapshot is null &&
        CommittedEntries.Count == 0 && Messages.Count == 0 && ReadStates.Count == 0;
}

/// <summary>What a replica recovers from its storage at start: hard state, the snapshot boundary and the entries after it.</summary>
public sealed record RaftStorageState(HardState HardState, SnapshotMetadata Snapshot, IReadOnlyList<LogEntry> Entries)
{
    /// <summary>A brand-new member of a group created with this membership (every initial member must be given the same one).</summary>
    public static RaftStorageState Bootstrap(RaftConfiguration configuration) =>
        new(HardState.Empty, new SnapshotMetadata(0, 0, configuration), []);

    /// <summary>A brand-new replica joining an existing group: it learns its membership from the leader's log.</summary>
    public static RaftStorageState Joining() =>
        new(HardState.Empty, new SnapshotMetadata(0, 0, RaftConfiguration.Empty), []);
}
