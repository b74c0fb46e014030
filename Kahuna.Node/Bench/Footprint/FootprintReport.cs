namespace Kahuna.Node.Bench.Footprint;

/// <summary>One restart of the node on its data: how it was stopped and how long until it served again.</summary>
/// <param name="Stop">"sigterm" or "sigkill".</param>
/// <param name="StopSeconds">From the signal until the process was gone.</param>
/// <param name="ExitCode">The node's exit code after SIGTERM (0 = a clean stop); null after SIGKILL.</param>
/// <param name="ReadySeconds">From the spawn until its ready line (client port open; replicas may still be recovering).</param>
/// <param name="ServingSeconds">From the spawn until every partition served a read of its probe key.</param>
/// <param name="FirstPartitionSeconds">From the spawn until the first partition did.</param>
/// <param name="LogEntries">The partitions' log length after recovery (sum of commit indexes): what the node holds.</param>
/// <param name="EntriesReplayed">Entries read back from the journal, as the replicas logged it (null if no line was seen).</param>
/// <param name="EntriesFromSnapshot">Entries covered by the checkpoints the replicas restored instead of replaying them.</param>
/// <param name="ReplayMaxSeconds">The slowest replica's own recovery time (journal and checkpoint read).</param>
/// <param name="SampleChecked">Loaded keys read back after the restart.</param>
/// <param name="SampleFound">Of those, found with the right value (all for persistent keys; none expected for ephemeral ones).</param>
/// <param name="Memory">RSS once settled after the restart.</param>
public sealed record RecoveryFigure(string Stop, double StopSeconds, int? ExitCode, double ReadySeconds, double ServingSeconds,
    double FirstPartitionSeconds, long LogEntries, long? EntriesReplayed, long? EntriesFromSnapshot, double? ReplayMaxSeconds,
    int SampleChecked, int SampleFound, MemoryFigure Memory);

/// <summary>A target of the performance issue against what was measured; <see cref="Met"/> is null where it does not apply.</summary>
public sealed record TargetCheck(string Name, string Target, string Measured, bool? Met, string? Note = null);

/// <summary>The parameters as run (echoed in the report so a saved JSON explains itself).</summary>
public sealed record FootprintParameters(int Keys, int ValueSize, int Partitions, string Durability, int Concurrency, int Connections,
    long? SnapshotEveryEntries, string? ConfigFile, IReadOnlyList<string> Recoveries);

/// <summary>The machine while the run happened: on a shared 2-core machine a figure means little without it.</summary>
public sealed record MachineFigure(int Cores, double LoadAverageStart, double LoadAverageEnd)
{
    public static double LoadAverageNow()
    {
        try
        {
            return double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or FormatException or UnauthorizedAccessException)
        {
            return 0;
        }
    }
}

/// <summary>Everything one run measured. <see cref="Status"/> is Ok, Incomplete (the load hit its limit) or Error (<see cref="Problem"/>).</summary>
public sealed record FootprintReport
{
    public string Status { get; init; } = "Ok";
    public string? Problem { get; init; }
    public required FootprintParameters Parameters { get; init; }
    public MemoryFigure? Idle { get; init; }
    public LoadFigure? Load { get; init; }
    public MemoryFigure? Loaded { get; init; }
    /// <summary>RSS with the keys after the node was left quiet (<see cref="FootprintOptions.IdleWait"/>); null when skipped.</summary>
    public MemoryFigure? LoadedIdle { get; init; }
    public IReadOnlyList<RecoveryFigure> Recoveries { get; init; } = [];
    public IReadOnlyList<TargetCheck> Targets { get; init; } = [];
    public MachineFigure? Machine { get; init; }
    public string? DataDirectory { get; init; }
    public IReadOnlyList<int> NodePids { get; init; } = [];

    /// <summary>The performance issue's targets, judged only where the run was as large as the target assumes.</summary>
    public static IReadOnlyList<TargetCheck> Judge(FootprintParameters p, MemoryFigure? idle, LoadFigure? load, MemoryFigure? loaded,
        MemoryFigure? loadedIdle, IReadOnlyList<RecoveryFigure> recoveries)
    {
        const double IdleMiB = 200, LoadedMiB = 1024, ServingSeconds = 10;
        const long TargetKeys = 1_000_000;
        var checks = new List<TargetCheck>();
        if (idle is not null)
            checks.Add(new("idle RSS", $"≤ {IdleMiB} MiB", $"{idle.RssMiB:F0} MiB", idle.RssMiB <= IdleMiB));
        if (loaded is not null && load is not null)
        {
            // Judged on the node holding the keys at rest; the figures right after the load and its peak are shown beside it.
            var held = loadedIdle ?? loaded;
            bool applies = load.Loaded >= TargetKeys && p.ValueSize >= 128;
            var measured = loadedIdle is null
                ? $"{loaded.RssMiB:F0} MiB at {load.Loaded:N0} keys"
                : $"{loadedIdle.RssMiB:F0} MiB at {load.Loaded:N0} keys, idle ({loaded.RssMiB:F0} right after the load, peak {loaded.PeakMiB:F0})";
            checks.Add(new($"RSS with keys ({p.Durability})", $"≤ {LoadedMiB} MiB at 1M keys of 128 B", measured,
                applies ? held.RssMiB <= LoadedMiB : null, applies ? null : "not judged: fewer than 1,000,000 keys loaded"));
        }
        foreach (var r in recoveries)
        {
            bool applies = r.LogEntries >= TargetKeys;
            string replayed = r.EntriesReplayed is { } e ? $", {e:N0} replayed" : "";
            checks.Add(new($"recovery after {r.Stop}", $"serving ≤ {ServingSeconds} s with 1M log entries",
                $"{r.ServingSeconds:F1} s, {r.LogEntries:N0} entries{replayed}",
                applies ? r.ServingSeconds <= ServingSeconds : null, applies ? null : "not judged: fewer than 1,000,000 log entries"));
        }
        return checks;
    }
}
