using Kahuna.Node.Bench.Client;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>Counting and percentiles: successes only in the latency figures and ops/s; misses, errors and timeouts apart.</summary>
public sealed class BenchStatisticsTests
{
    private const long MaxMicros = 15_000_000;

    [Fact]
    public void Percentiles_AreOfSuccessesOnly()
    {
        var stats = new WorkerStats(MaxMicros);
        for (int ms = 1; ms <= 1000; ms++)
            stats.Record(BenchOp.Get, BenchOutcome.Success, ms * 1000L);
        // Slow misses, errors and timeouts must not move the percentiles.
        for (int i = 0; i < 500; i++)
        {
            stats.Record(BenchOp.Get, BenchOutcome.Miss, 9_000_000);
            stats.Record(BenchOp.Get, BenchOutcome.Timeout, 10_000_000);
            stats.RecordError(BenchOp.Get, "Unavailable", 8_000_000);
        }

        var row = Assert.Single(BenchResult.BuildRows(stats, elapsedSeconds: 2.0));
        Assert.Equal("get", row.Op);
        Assert.Equal(1000, row.Count);
        Assert.Equal(500, row.OpsPerSecond, 3);
        Assert.Equal(500, row.Misses);
        Assert.Equal(500, row.Timeouts);
        Assert.Equal(500, row.Errors);
        // HdrHistogram with 3 significant digits: within 0.1 %.
        Assert.Equal(500, row.P50Ms, 500 * 0.001);
        Assert.Equal(900, row.P90Ms, 900 * 0.001);
        Assert.Equal(990, row.P99Ms, 990 * 0.001);
        Assert.Equal(999, row.P999Ms, 999 * 0.001);
        Assert.Equal(1000, row.MaxMs, 1000 * 0.001);
        Assert.Equal(500.5, row.MeanMs, 0.001);
    }

    [Fact]
    public void Latencies_AreClampedIntoTheHistogramRange()
    {
        var stats = new WorkerStats(MaxMicros);
        stats.Record(BenchOp.Set, BenchOutcome.Success, 0);
        stats.Record(BenchOp.Set, BenchOutcome.Success, MaxMicros * 10);
        var row = Assert.Single(BenchResult.BuildRows(stats, 1));
        Assert.Equal(2, row.Count);
        Assert.Equal(MaxMicros / 1000.0, row.MaxMs, MaxMicros / 1000.0 * 0.001);
    }

    [Fact]
    public void Merge_AddsCountsHistogramsErrorsAndViolations()
    {
        var a = new WorkerStats(MaxMicros);
        var b = new WorkerStats(MaxMicros);
        a.Record(BenchOp.Get, BenchOutcome.Success, 1000);
        a.RecordError(BenchOp.Set, "InternalError", 5);
        a.RecordSequenceViolation();
        b.Record(BenchOp.Get, BenchOutcome.Success, 3000);
        b.Record(BenchOp.Set, BenchOutcome.Success, 2000);
        b.RecordError(BenchOp.Set, "InternalError", 5);
        b.RecordError(BenchOp.Set, "unlock:NotFound", 5);
        b.RecordSequenceViolation();
        b.RecordSequenceViolation();

        var merged = WorkerStats.Merge([a, b], MaxMicros);
        Assert.Equal(2, merged.Count(BenchOp.Get, BenchOutcome.Success));
        Assert.Equal(3, merged.Count(BenchOp.Set, BenchOutcome.Error));
        Assert.Equal(2, merged.Errors["InternalError"]);
        Assert.Equal(1, merged.Errors["unlock:NotFound"]);
        Assert.Equal(3, merged.SequenceViolations);

        var rows = BenchResult.BuildRows(merged, 1);
        Assert.Equal(["get", "set", "total"], rows.Select(r => r.Op));
        var total = rows[^1];
        Assert.Equal(3, total.Count);
        Assert.Equal(3, total.Errors);
        Assert.Equal(3.0, total.MaxMs, 0.01);
        Assert.Equal(2.0, total.MeanMs, 0.01);
    }

    [Fact]
    public void OnlyOperationsThatRan_GetRows_AndNoTotalForOne()
    {
        var stats = new WorkerStats(MaxMicros);
        Assert.Empty(BenchResult.BuildRows(stats, 1));
        stats.Record(BenchOp.Lock, BenchOutcome.Miss, 100);
        var row = Assert.Single(BenchResult.BuildRows(stats, 1));
        Assert.Equal("lock", row.Op);
        Assert.Equal(0, row.Count);
        Assert.Equal(0, row.OpsPerSecond);
        Assert.Equal(0, row.P99Ms);
        Assert.Equal(1, row.Misses);
    }

    [Fact]
    public void Exceptions_AreClassified()
    {
        Assert.True(BenchErrors.IsTimeout(new KahunaException(KahunaStatus.Timeout, "slow")));
        Assert.True(BenchErrors.IsTimeout(new TimeoutException()));
        Assert.False(BenchErrors.IsTimeout(new KahunaException(KahunaStatus.Unavailable, "down")));
        Assert.Equal("Unavailable", BenchErrors.Categorize(new KahunaException(KahunaStatus.Unavailable, "down")));
        Assert.Equal("unlock:NotOwner", BenchErrors.Categorize(new UnexpectedOutcomeException("unlock:NotOwner", "x")));
        Assert.Equal("InvalidOperationException", BenchErrors.Categorize(new InvalidOperationException("x")));
    }

    [Fact]
    public void Csv_HasPeerbenchColumns_AndAHeaderOnlyWhenNew()
    {
        string path = Path.Combine(Path.GetTempPath(), $"kahuna-bench-test-{Guid.NewGuid():N}.csv");
        try
        {
            var stats = new WorkerStats(MaxMicros);
            stats.Record(BenchOp.Get, BenchOutcome.Success, 1500);
            stats.Record(BenchOp.Get, BenchOutcome.Miss, 1500);
            var result = new BenchResult { Rows = BenchResult.BuildRows(stats, 1), Errors = new Dictionary<string, long>() };
            var options = new ClientBenchOptions { Workload = BenchWorkload.Get, Endpoints = ["a:1"], Concurrency = 8, Label = "my,label" };
            BenchReportWriter.AppendCsv(path, options, result);
            BenchReportWriter.AppendCsv(path, options, result);
            var lines = File.ReadAllLines(path);
            Assert.Equal(3, lines.Length);
            Assert.Equal(BenchReportWriter.CsvHeader, lines[0]);
            Assert.Equal("\"my,label\",get,8,get,1,1.0,1.500,1.500,1.500,1.500,1.500,1.500,0,0,1", lines[1]);
            Assert.Equal(lines[1], lines[2]);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
