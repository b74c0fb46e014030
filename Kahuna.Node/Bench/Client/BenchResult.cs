using HdrHistogram;

namespace Kahuna.Node.Bench.Client;

/// <summary>One row of the report: an operation kind (or "total"). Latencies are of successes only, in ms.</summary>
public sealed record OpRow(string Op, long Count, double OpsPerSecond, double P50Ms, double P90Ms, double P99Ms, double P999Ms,
    double MaxMs, double MeanMs, long Errors, long Timeouts, long Misses);

/// <summary>What the key-space seeding did (get and mixed only).</summary>
public sealed record SeedSummary(int Keys, long Failed, double Seconds, bool TimedOut);

/// <summary>How busy the machine was during the measurement (Linux; zeros elsewhere).</summary>
public sealed record MachineLoad(double LoadAverageAtStart, double LoadAverageAtEnd, double MeanRunnable, int Cores);

/// <summary>Everything one run measured.</summary>
public sealed record BenchResult
{
    public required IReadOnlyList<OpRow> Rows { get; init; }
    public required IReadOnlyDictionary<string, long> Errors { get; init; }
    public long SequenceViolations { get; init; }
    public double ElapsedSeconds { get; init; }
    public SeedSummary? Seeding { get; init; }
    public MachineLoad? Load { get; init; }

    /// <summary>Ctrl+C or the watchdog ended the measurement early; the rows cover what ran.</summary>
    public bool Interrupted { get; init; }

    public long TotalErrors => Rows.Where(r => r.Op != "total").Sum(r => r.Errors);
    public long TotalTimeouts => Rows.Where(r => r.Op != "total").Sum(r => r.Timeouts);

    /// <summary>The row of one operation kind (null when none ran).</summary>
    public OpRow? Row(BenchOp op) => Rows.FirstOrDefault(r => r.Op == OpName(op));

    public static string OpName(BenchOp op) => op.ToString().ToLowerInvariant();

    /// <summary>Rows from merged stats: one per operation kind that ran, and a total when there is more than one.</summary>
    public static IReadOnlyList<OpRow> BuildRows(WorkerStats merged, double elapsedSeconds)
    {
        var rows = new List<OpRow>();
        var total = new LongHistogram(merged.MaxMicros, 3);
        long ok = 0, errors = 0, timeouts = 0, misses = 0;
        double sum = 0;
        foreach (var op in Enum.GetValues<BenchOp>())
        {
            long opOk = merged.Count(op, BenchOutcome.Success), opErrors = merged.Count(op, BenchOutcome.Error);
            long opTimeouts = merged.Count(op, BenchOutcome.Timeout), opMisses = merged.Count(op, BenchOutcome.Miss);
            if (opOk + opErrors + opTimeouts + opMisses == 0)
                continue;
            rows.Add(Row(OpName(op), merged.Latency(op), opOk, opErrors, opTimeouts, opMisses, merged.SumMicros(op), elapsedSeconds));
            total.Add(merged.Latency(op));
            ok += opOk; errors += opErrors; timeouts += opTimeouts; misses += opMisses; sum += merged.SumMicros(op);
        }
        if (rows.Count > 1)
            rows.Add(Row("total", total, ok, errors, timeouts, misses, sum, elapsedSeconds));
        return rows;
    }

    private static OpRow Row(string name, LongHistogram latency, long ok, long errors, long timeouts, long misses, double sumMicros, double seconds)
    {
        double Ms(double percentile) => ok == 0 ? 0 : latency.GetValueAtPercentile(percentile) / 1000.0;
        return new OpRow(name, ok, seconds > 0 ? ok / seconds : 0, Ms(50), Ms(90), Ms(99), Ms(99.9),
            ok == 0 ? 0 : latency.GetMaxValue() / 1000.0, ok == 0 ? 0 : sumMicros / ok / 1000.0, errors, timeouts, misses);
    }
}
