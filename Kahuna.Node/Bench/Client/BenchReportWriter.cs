using System.Globalization;
using System.Text.Json;
using Spectre.Console;

namespace Kahuna.Node.Bench.Client;

/// <summary>Prints a result as a table (people), one JSON object (scripts) or CSV rows appended to a file.</summary>
public static class BenchReportWriter
{
    /// <summary>The CSV columns: the same as peerbench's, so both tools can append to one file.</summary>
    public const string CsvHeader = "label,workload,concurrency,op,count,ops_s,p50_ms,p90_ms,p99_ms,p999_ms,max_ms,mean_ms,errors,timeouts,misses";

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static void WriteTable(TextWriter output, ClientBenchOptions options, string target, BenchResult result)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        var table = new Table()
            .Title(Markup.Escape($"kahuna bench {options.WorkloadName} --{options.DurabilityName}: {target}"))
            .AddColumns("op", "count", "ops/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "mean ms", "errors", "timeouts", "misses");
        foreach (var column in table.Columns.Skip(1))
            column.RightAligned();
        foreach (var r in result.Rows)
            table.AddRow(r.Op, F($"{r.Count}"), F($"{r.OpsPerSecond:F0}"), F($"{r.P50Ms:F2}"), F($"{r.P90Ms:F2}"), F($"{r.P99Ms:F2}"),
                F($"{r.P999Ms:F2}"), F($"{r.MaxMs:F1}"), F($"{r.MeanMs:F2}"), F($"{r.Errors}"), F($"{r.Timeouts}"), F($"{r.Misses}"));
        console.Write(table);
        output.WriteLine(F($"measured {result.ElapsedSeconds:F1} s, {options.Concurrency} workers, {options.ValueSize} B values, ") +
                         F($"key space {options.KeySpace} ({options.KeyDistribution.ToString().ToLowerInvariant()}), {options.Connections} connection(s) per endpoint") +
                         (result.Interrupted ? " — INTERRUPTED, partial result" : ""));
        if (result.Load is { } load)
            output.WriteLine(F($"machine: {load.Cores} cores, load average {load.LoadAverageAtStart:F2} at start, {load.LoadAverageAtEnd:F2} at end, {load.MeanRunnable:F1} runnable threads on average"));
        if (result.Seeding is { } seed)
            output.WriteLine(F($"seeding: {seed.Keys} keys in {seed.Seconds:F1} s, {seed.Failed} failed") + (seed.TimedOut ? " (gave up at the time limit)" : ""));
        if (options.Batch > 1)
            output.WriteLine(F($"batch: {options.Batch} keys per set or get operation (one SetMany / GetMany), so keys/s = {options.Batch} × ops/s"));
        if (options.Workload == BenchWorkload.Sequence)
        {
            var values = (result.Row(BenchOp.Sequence)?.OpsPerSecond ?? 0) * options.SequenceCount;
            output.WriteLine(F($"sequence: {values:F0} values/s ({options.SequenceCount} per operation), {result.SequenceViolations} per-worker order violations (must be 0)"));
        }
        if (result.Errors.Count > 0)
        {
            output.WriteLine("errors by cause:");
            foreach (var (category, count) in result.Errors)
                output.WriteLine(F($"  {count,10}  {category}"));
        }
    }

    /// <param name="localDataDirectory">The temporary data of a --local cluster (deleted when the run ends), for the record.</param>
    public static void WriteJson(TextWriter output, ClientBenchOptions options, string target, BenchResult result, string? localDataDirectory = null)
    {
        var document = new
        {
            status = result.Interrupted ? "Interrupted" : "Ok",
            workload = options.WorkloadName,
            durability = options.DurabilityName,
            label = options.EffectiveLabel,
            target,
            localDataDirectory,
            parameters = new
            {
                concurrency = options.Concurrency,
                durationSeconds = options.Duration.TotalSeconds,
                warmupSeconds = options.Warmup.TotalSeconds,
                keySpace = options.KeySpace,
                keyPrefix = options.KeyPrefix,
                keyDistribution = options.KeyDistribution.ToString().ToLowerInvariant(),
                valueSize = options.ValueSize,
                readPercent = options.ReadPercent,
                lockLeaseMs = options.LockLease.TotalMilliseconds,
                sequenceCount = options.SequenceCount,
                batch = options.Batch,
                timeoutMs = options.Timeout.TotalMilliseconds,
                connections = options.Connections,
                localNodes = options.LocalNodes,
            },
            elapsedSeconds = result.ElapsedSeconds,
            interrupted = result.Interrupted,
            operations = result.Rows,
            errors = result.Errors,
            totalErrors = result.TotalErrors,
            totalTimeouts = result.TotalTimeouts,
            sequenceViolations = result.SequenceViolations,
            seeding = result.Seeding,
            machine = result.Load,
        };
        output.WriteLine(JsonSerializer.Serialize(document, JsonOptions));
    }

    /// <summary>Appends one row per operation (and the total) to <paramref name="path"/>, with the header when the file is new or empty.</summary>
    public static void AppendCsv(string path, ClientBenchOptions options, BenchResult result)
    {
        bool header = !File.Exists(path) || new FileInfo(path).Length == 0;
        using var writer = new StreamWriter(path, append: true);
        if (header)
            writer.WriteLine(CsvHeader);
        foreach (var r in result.Rows)
            writer.WriteLine(F($"{Csv(options.EffectiveLabel)},{options.WorkloadName},{options.Concurrency},{r.Op},{r.Count},{r.OpsPerSecond:F1},") +
                             F($"{r.P50Ms:F3},{r.P90Ms:F3},{r.P99Ms:F3},{r.P999Ms:F3},{r.MaxMs:F3},{r.MeanMs:F3},{r.Errors},{r.Timeouts},{r.Misses}"));
    }

    /// <summary>A label with a comma or quote is quoted, so a free-text --label cannot shift the columns.</summary>
    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
