namespace Kahuna.Raft.Core;

/// <summary>The source of randomness the core uses (election timeouts). Injected so runs are reproducible.</summary>
public interface IRaftRandom
{
    /// <summary>A uniformly distributed integer in [0, maxExclusive).</summary>
    int Next(int maxExclusive);
}

/// <summary>How a leader confirms it is still leader before serving a read.</summary>
public enum ReadMode : byte
{
    /// <summary>ReadIndex (thesis §6.4): a heartbeat round acknowledged by a quorum. Needs no clock assumption.</summary>
    Safe = 0,
    /// <summary>
    /// Leader lease (thesis §6.4.1): serve at once while check-quorum keeps the leader in office. Correct only if
    /// every replica's tick runs at about the same rate (bounded clock drift), because a deposed leader keeps
    /// believing it leads for up to one election timeout. Requires <see cref="RaftOptions.CheckQuorum"/>.
    /// </summary>
    LeaseBased = 1,
}

/// <summary>Settings of one replica's core. Times are counted in ticks; the host decides how long a tick is.</summary>
public sealed record RaftOptions
{
    /// <summary>This replica's id, unique in its group.</summary>
    public required string Id { get; init; }

    /// <summary>Ticks without hearing from a leader before a follower campaigns; the actual timeout is randomized in [n, 2n).</summary>
    public int ElectionTicks { get; init; } = 10;

    /// <summary>Ticks between leader heartbeats. Must be well below <see cref="ElectionTicks"/>.</summary>
    public int HeartbeatTicks { get; init; } = 1;

    /// <summary>
    /// Ticks between the heartbeats of a quiet leader: every follower holds its whole log, everything is committed,
    /// the last heartbeat already carried that commit index, and no read or transfer waits. A node carries many
    /// groups and most of them are idle most of the time; their heartbeats were half of an idle node's work. 0: the
    /// same as <see cref="HeartbeatTicks"/>. At most half of ElectionTicks minus <see cref="LeaseMarginTicks"/>, so
    /// that a follower's election timer, the leader's check-quorum and its lease all survive one lost heartbeat.
    /// </summary>
    public int QuietHeartbeatTicks { get; init; }

    /// <summary>Ask for pre-votes first so a replica that was cut off cannot raise everyone's term when it returns.</summary>
    public bool PreVote { get; init; } = true;

    /// <summary>A leader steps down when it has not heard from a quorum for an election timeout; followers in lease ignore vote requests.</summary>
    public bool CheckQuorum { get; init; } = true;

    /// <summary>
    /// A replica whose storage holds less than the commit index it recorded lost entries it had acknowledged (a disk
    /// that lied about fsync, a journal restored from an old copy). By default it does not campaign until a
    /// leader has given them back (it votes only for candidates that must hold them), so it cannot help elect a leader
    /// that lacks committed entries. On: it votes as usual (for a group where no live replica holds them any more and
    /// an operator accepts the loss to get it going again). Entries acknowledged after the last commit index written
    /// down leave no such trace when lost: this narrows the damage of storage that breaks its promise, it does not
    /// make such storage safe.
    /// </summary>
    public bool VoteDespiteLostEntries { get; init; }

    public ReadMode ReadMode { get; init; } = ReadMode.Safe;

    /// <summary>
    /// Lease reads: the lease lasts ElectionTicks minus this margin from the send time of the last heartbeat round a
    /// quorum acknowledged. The margin absorbs tick-rate differences between replicas.
    /// </summary>
    public int LeaseMarginTicks { get; init; } = 2;

    /// <summary>Upper bound on the entry bytes in one append message (at least one entry is always sent).</summary>
    public long MaxBytesPerAppend { get; init; } = 1 << 20;

    /// <summary>Append messages in flight per follower in the replicate state (pipelining window).</summary>
    public int MaxInflightAppends { get; init; } = 64;

    /// <summary>Upper bound on the bytes of committed entries handed out in one Ready.</summary>
    public long MaxCommittedBytesPerReady { get; init; } = 4 << 20;

    /// <summary>Proposals are refused with Overloaded while the leader's uncommitted tail exceeds this many bytes.</summary>
    public long MaxUncommittedBytes { get; init; } = 32 << 20;

    public required IRaftRandom Random { get; init; }

    public void Validate()
    {
        if (string.IsNullOrEmpty(Id)) throw new ArgumentException("Id is required");
        if (HeartbeatTicks <= 0) throw new ArgumentException("HeartbeatTicks must be positive");
        if (ElectionTicks <= HeartbeatTicks) throw new ArgumentException("ElectionTicks must be greater than HeartbeatTicks");
        if (QuietHeartbeatTicks != 0 && (QuietHeartbeatTicks < HeartbeatTicks || 2 * QuietHeartbeatTicks > ElectionTicks - LeaseMarginTicks))
            throw new ArgumentException("QuietHeartbeatTicks must be 0, or in [HeartbeatTicks, (ElectionTicks - LeaseMarginTicks) / 2]");
        if (MaxInflightAppends <= 0) throw new ArgumentException("MaxInflightAppends must be positive");
        if (LeaseMarginTicks < 1 || LeaseMarginTicks >= ElectionTicks) throw new ArgumentException("LeaseMarginTicks must be in [1, ElectionTicks)");
        if (ReadMode == ReadMode.LeaseBased && !CheckQuorum)
            throw new ArgumentException("Lease-based reads require CheckQuorum");
    }
}
