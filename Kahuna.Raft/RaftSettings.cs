using Akka.Actor;
using Akka.Configuration;
using Kahuna.Raft.Core;

namespace Kahuna.Raft;

/// <summary>The Raft layer's settings, read once from <c>kahuna.raft</c> (see reference.conf for every key).</summary>
public sealed record RaftSettings
{
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromMilliseconds(100);
    public int ElectionTicks { get; init; } = 10;
    public int HeartbeatTicks { get; init; } = 1;
    public int QuietHeartbeatTicks { get; init; } = 3;
    public bool PreVote { get; init; } = true;
    public bool CheckQuorum { get; init; } = true;
    public bool VoteDespiteLostEntries { get; init; }
    public ReadMode ReadMode { get; init; } = ReadMode.Safe;
    public int LeaseMarginTicks { get; init; } = 2;
    public long MaxAppendBytes { get; init; } = 1 << 20;
    public int MaxInflightAppends { get; init; } = 64;
    public long MaxCommittedBytesPerReady { get; init; } = 4 << 20;
    public long MaxUncommittedBytes { get; init; } = 32 << 20;
    public long SnapshotEveryEntries { get; init; } = 10_000;
    public long SnapshotEveryBytes { get; init; } = 8 << 20;
    public double SnapshotGrowthRatio { get; init; } = 0.5;
    public long SnapshotMaxEntries { get; init; } = 50_000;
    public int MaxConcurrentCheckpoints { get; init; } = 1;
    public TimeSpan HaltedRestartDelay { get; init; } = TimeSpan.FromSeconds(30);
    public long CompactionRetainEntries { get; init; } = 500;
    public long RetainAppliedEntries { get; init; } = 128;
    public int SnapshotChunkBytes { get; init; } = 512 << 10;
    public int SnapshotChunkTimeoutTicks { get; init; } = 50;
    public long MaxSnapshotBytes { get; init; } = 1L << 30;
    public string JournalPluginId { get; init; } = "";
    public string SnapshotPluginId { get; init; } = "";

    /// <summary>The embedded defaults (reference.conf), to use as a fallback under deployment configuration.</summary>
    public static Config DefaultConfig() => ConfigurationFactory.FromResource<RaftSettings>("Kahuna.Raft.reference.conf");

    public static RaftSettings Create(ActorSystem system) =>
        Create(system.Settings.Config.WithFallback(DefaultConfig()).GetConfig("kahuna.raft"));

    public static RaftSettings Create(Config c)
    {
        var readMode = c.GetString("read-mode", "safe").ToLowerInvariant() switch
        {
            "safe" => ReadMode.Safe,
            "lease" => ReadMode.LeaseBased,
            var other => throw new ConfigurationException($"kahuna.raft.read-mode must be 'safe' or 'lease', not '{other}'"),
        };
        var settings = new RaftSettings
        {
            TickInterval = c.GetTimeSpan("tick-interval"),
            ElectionTicks = c.GetInt("election-ticks"),
            HeartbeatTicks = c.GetInt("heartbeat-ticks"),
            QuietHeartbeatTicks = c.GetInt("quiet-heartbeat-ticks", 3),
            PreVote = c.GetBoolean("pre-vote"),
            CheckQuorum = c.GetBoolean("check-quorum"),
            VoteDespiteLostEntries = c.GetBoolean("vote-despite-lost-entries"),
            ReadMode = readMode,
            LeaseMarginTicks = c.GetInt("lease-margin-ticks"),
            MaxAppendBytes = c.GetByteSize("max-append-bytes") ?? 1 << 20,
            MaxInflightAppends = c.GetInt("max-inflight-appends"),
            MaxCommittedBytesPerReady = c.GetByteSize("max-committed-bytes-per-ready") ?? 4 << 20,
            MaxUncommittedBytes = c.GetByteSize("max-uncommitted-bytes") ?? 32 << 20,
            SnapshotEveryEntries = c.GetLong("snapshot-every-entries"),
            SnapshotEveryBytes = c.GetByteSize("snapshot-every-bytes") ?? 8 << 20,
            SnapshotGrowthRatio = c.GetDouble("snapshot-growth-ratio", 0.5),
            SnapshotMaxEntries = c.GetLong("snapshot-max-entries", 50_000),
            MaxConcurrentCheckpoints = c.GetInt("max-concurrent-checkpoints", 1),
            HaltedRestartDelay = c.GetTimeSpan("halted-restart-delay", TimeSpan.FromSeconds(30)),
            CompactionRetainEntries = c.GetLong("compaction-retain-entries"),
            RetainAppliedEntries = c.GetLong("retain-applied-entries", 128),
            SnapshotChunkBytes = (int)(c.GetByteSize("snapshot-chunk-bytes") ?? 512 << 10),
            SnapshotChunkTimeoutTicks = c.GetInt("snapshot-chunk-timeout-ticks"),
            MaxSnapshotBytes = c.GetByteSize("max-snapshot-bytes") ?? 1L << 30,
            JournalPluginId = c.GetString("journal-plugin-id", ""),
            SnapshotPluginId = c.GetString("snapshot-plugin-id", ""),
        };
        settings.Validate();
        return settings;
    }

    public void Validate()
    {
        if (TickInterval <= TimeSpan.Zero) throw new ConfigurationException("kahuna.raft.tick-interval must be positive");
        if (ElectionTicks <= HeartbeatTicks) throw new ConfigurationException("kahuna.raft.election-ticks must exceed heartbeat-ticks");
        if (QuietHeartbeatTicks < 0) throw new ConfigurationException("kahuna.raft.quiet-heartbeat-ticks must be 0 (off) or more");
        if (RetainAppliedEntries < 0) throw new ConfigurationException("kahuna.raft.retain-applied-entries must be 0 (off) or more");
        if (SnapshotEveryEntries < 1) throw new ConfigurationException("kahuna.raft.snapshot-every-entries must be at least 1");
        if (SnapshotGrowthRatio < 0 || double.IsNaN(SnapshotGrowthRatio)) throw new ConfigurationException("kahuna.raft.snapshot-growth-ratio must be 0 or more");
        if (MaxConcurrentCheckpoints < 1) throw new ConfigurationException("kahuna.raft.max-concurrent-checkpoints must be at least 1");
        if (HaltedRestartDelay <= TimeSpan.Zero) throw new ConfigurationException("kahuna.raft.halted-restart-delay must be positive");
        if (SnapshotChunkBytes < 1024) throw new ConfigurationException("kahuna.raft.snapshot-chunk-bytes must be at least 1KiB");
    }

    /// <summary>
    /// The quiet leader's heartbeat interval the core gets: the configured one, capped at half of election-ticks minus
    /// lease-margin-ticks (the core's bound, so that one lost heartbeat costs no election and no lease); 0 (off) when
    /// that is 0 or not above heartbeat-ticks.
    /// </summary>
    public int EffectiveQuietHeartbeatTicks
    {
        get
        {
            var capped = Math.Min(QuietHeartbeatTicks, (ElectionTicks - LeaseMarginTicks) / 2);
            return capped > HeartbeatTicks ? capped : 0;
        }
    }

    /// <summary>Core options for one replica.</summary>
    public RaftOptions ToOptions(string replicaId, IRaftRandom random) => new()
    {
        Id = replicaId,
        ElectionTicks = ElectionTicks,
        HeartbeatTicks = HeartbeatTicks,
        QuietHeartbeatTicks = EffectiveQuietHeartbeatTicks,
        PreVote = PreVote,
        CheckQuorum = CheckQuorum,
        VoteDespiteLostEntries = VoteDespiteLostEntries,
        ReadMode = ReadMode,
        LeaseMarginTicks = LeaseMarginTicks,
        MaxBytesPerAppend = MaxAppendBytes,
        MaxInflightAppends = MaxInflightAppends,
        MaxCommittedBytesPerReady = MaxCommittedBytesPerReady,
        MaxUncommittedBytes = MaxUncommittedBytes,
        Random = random,
    };
}

/// <summary>Identity and start-up membership of one replica.</summary>
/// <param name="GroupId">The Raft group (a partition) this replica belongs to.</param>
/// <param name="ReplicaId">This replica's id in the group (the node id).</param>
/// <param name="InitialConfiguration">Membership of a brand-new group; null for a replica joining an existing group as a learner.</param>
public sealed record RaftReplicaSettings(string GroupId, string ReplicaId, RaftConfiguration? InitialConfiguration, RaftSettings Raft)
{
    public string PersistenceId => $"raft-{GroupId}";
}
