using Akka.Configuration;
using Kahuna.Node.Network;
using Kahuna.Node.Partitions;
using Kahuna.Node.Routing;
using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Sessions;
using Kahuna.Raft;

namespace Kahuna.Node.Hosting;

/// <summary>The node's typed settings, read once from the <c>kahuna</c> section (hocon/kahuna.conf documents each key).</summary>
public sealed record KahunaSettings(RouterSettings Router, KahunaServerSettings Server, PartitionSettings Partitions, RaftSettings Raft, Kahuna.Node.Security.SecuritySettings Security,
    MemorySettings Memory)
{
    public static Config DefaultConfig() => ConfigurationFactory.FromResource("Kahuna.Node.kahuna.conf", typeof(KahunaSettings).Assembly);

    public static KahunaSettings Create(Config root, string nodeId, Func<string, string?>? environment = null)
    {
        var security = Kahuna.Node.Security.SecuritySettings.Create(root, environment ?? Environment.GetEnvironmentVariable);
        var k = root.GetConfig("kahuna") ?? throw new ConfigurationException("missing the kahuna configuration section");
        var raft = RaftSettings.Create(root.GetConfig("kahuna.raft"));
        var router = new RouterSettings
        {
            RequestTimeout = Positive(k, "requests.timeout"),
            AttemptTimeout = Positive(k, "requests.attempt-timeout"),
            MaxInFlight = k.GetInt("requests.max-in-flight"),
            BatchForwards = k.GetBoolean("requests.batch-forwards", true),
        };
        if (router.MaxInFlight < 1) throw new ConfigurationException("kahuna.requests.max-in-flight must be at least 1");
        var server = new KahunaServerSettings
        {
            NodeId = nodeId,
            MaxFrameBytes = (int)(k.GetByteSize("server.max-frame-bytes") ?? 2 << 20),
            MaxInFlightPerConnection = k.GetInt("server.max-in-flight-per-connection"),
            MaxConnections = k.GetInt("server.max-connections"),
            IdleTimeout = Positive(k, "server.idle-timeout"),
        };
        server.Validate();
        security.Validate();
        var tickMs = raft.TickInterval.TotalMilliseconds;
        var partitions = new PartitionSettings
        {
            ExpirySweepTicks = Math.Max(1, (int)Math.Round(Positive(k, "partitions.expiry-sweep-interval").TotalMilliseconds / tickMs)),
            ExpiryBatch = k.GetInt("partitions.expiry-batch"),
            SequenceBlockSize = k.GetLong("sequences.block-size"),
            EphemeralMaxLeaseMs = (long)Positive(k, "ephemeral.max-lock-lease").TotalMilliseconds,
            ElectionTimeoutMs = (long)(2 * raft.ElectionTicks * tickMs),
            StateMachine = new PartitionStateMachineOptions
            {
                KeyValues = new KeyValueStoreOptions
                {
                    RevisionsPerKey = k.GetInt("keyvalue.revisions-per-key"),
                    HistoryRetentionMs = (long)Positive(k, "keyvalue.history-retention").TotalMilliseconds,
                },
                Sessions = new ClientSessionOptions
                {
                    RetentionMs = (long)Positive(k, "sessions.retention").TotalMilliseconds,
                    MaxSessions = k.GetInt("sessions.max-sessions"),
                    MaxResultsPerSession = k.GetInt("sessions.max-results-per-session"),
                    MaxEvictedPerSession = k.GetInt("sessions.max-evicted-per-session"),
                },
            },
        };
        if (partitions.SequenceBlockSize < 1) throw new ConfigurationException("kahuna.sequences.block-size must be at least 1");
        if (partitions.ExpiryBatch < 1) throw new ConfigurationException("kahuna.partitions.expiry-batch must be at least 1");
        var memory = new MemorySettings(
            k.GetBoolean("memory.idle-trim", true),
            Positive(k, "memory.idle-trim-after"),
            k.GetByteSize("memory.idle-trim-min-excess") ?? MemorySettings.Default.MinExcessBytes,
            k.GetByteSize("memory.idle-allocation") ?? MemorySettings.Default.IdleAllocationBytes,
            k.GetByteSize("memory.idle-trim-max-live") ?? MemorySettings.Default.MaxLiveBytes,
            k.GetByteSize("memory.native-mmap-threshold") ?? MemorySettings.Default.NativeMmapThreshold);
        return new KahunaSettings(router, server with { TlsCertificate = security.LoadCertificate() }, partitions, raft, security, memory);
    }

    private static TimeSpan Positive(Config c, string path)
    {
        var value = c.GetTimeSpan(path, null, allowInfinite: false);
        if (value <= TimeSpan.Zero) throw new ConfigurationException($"kahuna.{path} must be positive");
        return value;
    }
}
