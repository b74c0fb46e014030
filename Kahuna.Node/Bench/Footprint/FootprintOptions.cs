using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>How the node is stopped before a recovery measurement.</summary>
public enum StopKind
{
    /// <summary>SIGTERM: the node stops cleanly (what a deploy or <c>systemctl stop</c> does).</summary>
    Term,
    /// <summary>SIGKILL: a crash; nothing of the shutdown runs (the honest recovery figure).</summary>
    Kill,
}

/// <summary>
/// Everything one <c>kahuna bench footprint</c> run needs, already parsed. <see cref="Validate"/> lists every
/// problem at once. Tests build it with tiny numbers and short settle windows.
/// </summary>
public sealed record FootprintOptions
{
    public int Keys { get; init; } = 1_000_000;
    public int ValueSize { get; init; } = 128;
    public int Partitions { get; init; } = 8;
    public Durability Durability { get; init; } = Durability.Persistent;

    /// <summary>Writes in flight at once during the load (over <see cref="Connections"/> pipelined connections).</summary>
    public int Concurrency { get; init; } = 256;

    public int Connections { get; init; } = 4;

    /// <summary>The load stops here even if not every key is written (the report says how many were).</summary>
    public TimeSpan LoadLimit { get; init; } = TimeSpan.FromMinutes(20);

    /// <summary>How the node is stopped before each recovery measurement, in order (empty: no recovery measurement).</summary>
    public IReadOnlyList<StopKind> Recoveries { get; init; } = [StopKind.Term, StopKind.Kill];

    /// <summary>From spawn until every partition serves its probe key; beyond it the recovery counts as failed.</summary>
    public TimeSpan RecoveryLimit { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>RSS must stay flat this long to count as settled.</summary>
    public TimeSpan SettleWindow { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// After the load has settled, how long the node is left quiet before RSS is read again: long enough for the node's
    /// idle trim (kahuna.memory.idle-trim-after, 5 s by default) to give back what the load left behind. Zero skips it.
    /// </summary>
    public TimeSpan IdleWait { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest wait for RSS to settle before the last reading is taken anyway.</summary>
    public TimeSpan SettleLimit { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Overrides kahuna.raft.snapshot-every-entries (and lifts snapshot-every-bytes), so recovery replays up to this many entries per partition.</summary>
    public long? SnapshotEveryEntries { get; init; }

    /// <summary>A HOCON file for the node (applied after this benchmark's own settings).</summary>
    public string? ConfigFile { get; init; }

    /// <summary>Loaded keys read back after each restart to check the data survived (persistent keys must all be found).</summary>
    public int VerifySample { get; init; } = 256;

    public bool Json { get; init; }

    public string DurabilityName => Durability == Durability.Ephemeral ? "ephemeral" : "persistent";

    /// <summary>Every problem with these options (empty when usable).</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        void Require(bool ok, string problem)
        {
            if (!ok) problems.Add(problem);
        }
        Require(Keys is >= 1 and <= 100_000_000, "--keys: between 1 and 100000000");
        Require(ValueSize is >= 0 and <= 1024 * 1024, "--value-size: 0 to 1048576 bytes (the server's value limit is 1 MiB)");
        Require(Partitions is >= 1 and <= 4096, "--partitions: between 1 and 4096");
        Require(Concurrency is >= 1 and <= 10_000, "--concurrency: between 1 and 10000");
        Require(Connections is >= 1 and <= 64, "--connections: between 1 and 64");
        Require(LoadLimit >= TimeSpan.FromSeconds(1) && LoadLimit <= TimeSpan.FromHours(4), "--load-limit: 1s to 4h");
        Require(RecoveryLimit >= TimeSpan.FromSeconds(5) && RecoveryLimit <= TimeSpan.FromHours(1), "--recovery-limit: 5s to 1h");
        Require(SettleWindow >= TimeSpan.FromMilliseconds(500) && SettleWindow <= TimeSpan.FromMinutes(5), "--settle-window: 500ms to 5m");
        Require(IdleWait >= TimeSpan.Zero && IdleWait <= TimeSpan.FromMinutes(10), "--idle-wait: 0 to 10m");
        Require(SettleLimit >= SettleWindow && SettleLimit <= TimeSpan.FromMinutes(30), "--settle-limit: at least --settle-window, at most 30m");
        Require(SnapshotEveryEntries is null or >= 1, "--snapshot-every: at least 1 entry");
        Require(ConfigFile is null || File.Exists(ConfigFile), $"--config: '{ConfigFile}' is not an existing file");
        Require(VerifySample >= 0, "--verify-sample: 0 or more");
        Require(OperatingSystem.IsLinux(), "footprint reads the node's memory from /proc: it runs on Linux only");
        return problems;
    }
}
