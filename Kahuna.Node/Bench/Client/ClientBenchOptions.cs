using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Client;

/// <summary>What one benchmark operation does (the same workloads as peerbench and the original kahuna-bench).</summary>
public enum BenchWorkload
{
    /// <summary>Write a random value to a key.</summary>
    Set,
    /// <summary>Read a key of the seeded key space; an absent key is a miss.</summary>
    Get,
    /// <summary><see cref="ClientBenchOptions.ReadPercent"/> % reads, the rest writes, over the seeded key space.</summary>
    Mixed,
    /// <summary>TryLock a key-named lock then Unlock it, timed together; a busy lock is a miss.</summary>
    Lock,
    /// <summary>Take the next value of the one shared sequence <see cref="ClientBenchOptions.SequenceName"/>.</summary>
    Sequence,
}

/// <summary>How each operation picks its key number.</summary>
public enum KeyDistribution
{
    /// <summary>Drawn uniformly at random per operation (peerbench's default).</summary>
    Uniform,
    /// <summary>One shared round-robin counter over the key space (what kahuna-bench does).</summary>
    Sequential,
}

/// <summary>
/// Everything a client benchmark run needs, already parsed. <see cref="Validate"/> lists every problem at once;
/// the command turns them into a usage error. Tests build it directly (with shorter phases than the CLI allows).
/// </summary>
public sealed record ClientBenchOptions
{
    /// <summary>The one shared sequence the <see cref="BenchWorkload.Sequence"/> workload draws from.</summary>
    public const string SequenceName = "bench:seq:0";

    /// <summary>Seeding writes at most this many keys (as kahuna-bench and peerbench do).</summary>
    public const int MaxSeedKeys = 100_000;

    /// <summary>Seeding gives up after this long and the run goes on with part of the key space.</summary>
    public static readonly TimeSpan SeedTimeLimit = TimeSpan.FromSeconds(120);

    /// <summary>Starting a <c>--local</c> cluster and waiting until every partition answers may take this long.</summary>
    public static readonly TimeSpan LocalStartTimeLimit = TimeSpan.FromSeconds(90);

    /// <summary>Slack on top of the planned time before the watchdog ends a run.</summary>
    public static readonly TimeSpan WatchdogSlack = TimeSpan.FromSeconds(60);

    public BenchWorkload Workload { get; init; } = BenchWorkload.Mixed;
    public Durability Durability { get; init; } = Durability.Persistent;

    /// <summary>Nodes of a running cluster (host:port, ...); ignored when <see cref="LocalNodes"/> is set.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>Start this many nodes inside this process and measure them (0 = measure <see cref="Endpoints"/>).</summary>
    public int LocalNodes { get; init; }

    /// <summary>Partitions of a <c>--local</c> cluster.</summary>
    public int? LocalPartitions { get; init; }

    /// <summary>A HOCON file for the --local nodes.</summary>
    public string? LocalConfigFile { get; init; }

    /// <summary>Client token for a cluster that requires authentication.</summary>
    public string? Token { get; init; }

    public int Concurrency { get; init; } = 64;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(5);
    public int KeySpace { get; init; } = 10_000;
    public string KeyPrefix { get; init; } = "bench:";
    public int ValueSize { get; init; } = 128;
    public int ReadPercent { get; init; } = 50;
    public KeyDistribution KeyDistribution { get; init; } = KeyDistribution.Uniform;
    public TimeSpan LockLease { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Keys each set or get operation writes or reads in one request (SetMany / GetMany); 1 = Set / Get.</summary>
    public int Batch { get; init; } = 1;

    /// <summary>Values each sequence operation takes (a range); the leader serves them from its reserved block.</summary>
    public int SequenceCount { get; init; } = 1;

    /// <summary>Per-operation limit, retries included; an operation that takes longer counts as a timeout.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Client connections per endpoint; by default the client's own (<see cref="Protocol.Client.KahunaClientOptions.ConnectionsPerEndpoint"/>).</summary>
    public int Connections { get; init; } = DefaultConnections;

    /// <summary>The client's own default, so the benchmark measures what an application gets without tuning.</summary>
    internal static int DefaultConnections => new Protocol.Client.KahunaClientOptions().ConnectionsPerEndpoint;

    /// <summary>Whether the client sends each request to its partition's leader (the client's default) or lets nodes forward.</summary>
    public bool RouteToLeaders { get; init; } = true;

    /// <summary>Seed of the random choices (0 = from the clock).</summary>
    public int RandomSeed { get; init; }

    /// <summary>Skip pre-writing the key space for get/mixed.</summary>
    public bool SkipSeeding { get; init; }

    public bool Json { get; init; }
    public string? CsvPath { get; init; }

    /// <summary>The label of CSV rows; by default "kahuna-persistent" or "kahuna-ephemeral".</summary>
    public string? Label { get; init; }

    public string EffectiveLabel => Label ?? $"kahuna-{DurabilityName}";

    public string DurabilityName => Durability == Durability.Ephemeral ? "ephemeral" : "persistent";

    public string WorkloadName => Workload.ToString().ToLowerInvariant();

    /// <summary>Whether the key space is written before the warm-up (get and mixed read it).</summary>
    public bool Seeds => !SkipSeeding && Workload is BenchWorkload.Get or BenchWorkload.Mixed;

    public int SeedKeyCount => Math.Min(KeySpace, MaxSeedKeys);

    /// <summary>Largest latency the histograms hold (µs): 1.5 × the timeout, so a slow success is never clipped.</summary>
    public long MaxLatencyMicros => Math.Max((long)(Timeout.TotalMicroseconds * 1.5), 1_000_000L);

    /// <summary>
    /// How long the whole run may take before the watchdog ends it: warm-up + duration + 60 s, plus the seeding
    /// and local start-up limits when those phases happen (each is bounded by its own limit as well).
    /// </summary>
    public TimeSpan WatchdogLimit =>
        Warmup + Duration + WatchdogSlack + (Seeds ? SeedTimeLimit : TimeSpan.Zero) + (LocalNodes > 0 ? LocalStartTimeLimit : TimeSpan.Zero);

    /// <summary>Every problem with these options (empty when they are usable). Phases may be as short as the caller likes.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        Require(LocalNodes is >= 0 and <= 7, "--local: between 1 and 7 nodes");
        Require(LocalNodes > 0 || Endpoints.Count > 0, "--endpoints: at least one host:port (or --local N)");
        Require(LocalPartitions is null or (>= 1 and <= 4096), "--partitions: between 1 and 4096");
        Require(LocalConfigFile is null || (LocalNodes > 0 && File.Exists(LocalConfigFile)), "--config: an existing file, only with --local");
        Require(Concurrency is >= 1 and <= 10_000, "--concurrency: between 1 and 10000");
        Require(Duration > TimeSpan.Zero && Duration <= TimeSpan.FromHours(1), "--duration: more than zero and at most 1h");
        Require(Warmup >= TimeSpan.Zero && Warmup <= TimeSpan.FromMinutes(10), "--warmup: at most 10m");
        Require(KeySpace is >= 1, "--key-space: at least 1");
        Require(!string.IsNullOrEmpty(KeyPrefix) && KeyPrefix.Length <= 256, "--key-prefix: 1 to 256 characters");
        Require(ValueSize is >= 0 and <= 1024 * 1024, "--value-size: 0 to 1048576 bytes (the server's value limit is 1 MiB)");
        Require(ReadPercent is >= 0 and <= 100, "--read-pct: 0 to 100");
        Require(LockLease >= TimeSpan.FromMilliseconds(1) && LockLease <= TimeSpan.FromHours(1), "--lock-lease: 1ms to 1h");
        Require(Timeout >= TimeSpan.FromMilliseconds(10) && Timeout <= TimeSpan.FromMinutes(10), "--timeout: 10ms to 10m");
        Require(Batch is >= 1 and <= Protocol.ProtocolLimits.MaxBatchKeys, $"--batch: 1 to {Protocol.ProtocolLimits.MaxBatchKeys} keys per operation");
        Require(Batch == 1 || Workload is BenchWorkload.Set or BenchWorkload.Get or BenchWorkload.Mixed, "--batch: only for set, get and mixed");
        Require(Batch == 1 || (long)Batch * ValueSize <= Protocol.ProtocolLimits.MaxValueBytes,
            $"--batch × --value-size: at most {Protocol.ProtocolLimits.MaxValueBytes} bytes of values per set (the server's SetMany limit)");
        Require(SequenceCount is >= 1 and <= 1_000_000, "--count: 1 to 1000000 values per sequence operation");
        Require(Connections is >= 1 and <= 64, "--connections: between 1 and 64");
        Require(!(Workload == BenchWorkload.Sequence && Durability == Durability.Ephemeral),
            "--ephemeral: sequences are always persistent (they hand out values that must survive a leader change)");
        return problems;
    }
}
