using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>Prints a footprint report as tables (people) or one JSON object (scripts).</summary>
public static class FootprintReportWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        // "≤" in the targets stays readable instead of becoming \u2264.
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Write(FootprintReport report, bool json, TextWriter output)
    {
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(report, JsonOptions));
            return;
        }
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(output),
        });
        console.Profile.Width = Math.Max(console.Profile.Width, 140);
        var p = report.Parameters;
        output.WriteLine(F($"kahuna bench footprint: 1 node, {p.Partitions} partitions, {p.Keys:N0} {p.Durability} keys of {p.ValueSize} B") +
                         (p.SnapshotEveryEntries is { } every ? F($", checkpoint every {every:N0} entries") : "") +
                         (p.ConfigFile is { } file ? $", config {file}" : ""));

        var memory = new Table().Title("memory (node process, /proc/<pid>/status)")
            .AddColumns("phase", "RSS MiB", "peak MiB", "anon MiB", "file MiB", "shmem MiB", "threads", "settled");
        void Row(string phase, MemoryFigure? m)
        {
            if (m is not null)
                memory.AddRow(phase, F($"{m.RssMiB:F0}"), F($"{m.PeakMiB:F0}"), F($"{m.AnonMiB:F0}"), F($"{m.FileMiB:F0}"), F($"{m.ShmemMiB:F0}"), F($"{m.Threads}"),
                    m.Settled ? F($"yes, {m.SettleSeconds:F0} s") : F($"NO (after {m.SettleSeconds:F0} s)"));
        }
        Row("idle", report.Idle);
        Row("with keys", report.Loaded);
        if (report.LoadedIdle is not null) Row("with keys, idle", report.LoadedIdle);
        foreach (var r in report.Recoveries)
            Row($"after {r.Stop} restart", r.Memory);
        foreach (var column in memory.Columns.Skip(1))
            column.RightAligned();
        console.Write(memory);

        if (report.Load is { } load)
            output.WriteLine(F($"load: {load.Loaded:N0} of {load.Keys:N0} keys in {load.Seconds:F1} s ({load.KeysPerSecond:N0} keys/s), {load.Failed} failed") +
                             (load.Complete ? "" : " — stopped at --load-limit") + (load.LastError is { } e && load.Failed > 0 ? $"; last error: {e}" : ""));

        if (report.Recoveries.Count > 0)
        {
            var recovery = new Table().Title("recovery (seconds from the spawn of the restarted node)")
                .AddColumns("stop", "gone s", "ready line s", "1st partition s", "all serving s", "log entries", "replayed", "checkpointed", "replay s", "read back");
            foreach (var r in report.Recoveries)
                recovery.AddRow(r.Stop, F($"{r.StopSeconds:F1}"), F($"{r.ReadySeconds:F2}"),
                    F($"{r.FirstPartitionSeconds:F2}"), F($"{r.ServingSeconds:F2}"), F($"{r.LogEntries:N0}"), Maybe(r.EntriesReplayed),
                    Maybe(r.EntriesFromSnapshot), r.ReplayMaxSeconds is { } s ? F($"{s:F2}") : "?", F($"{r.SampleFound}/{r.SampleChecked}"));
            foreach (var column in recovery.Columns.Skip(1))
                column.RightAligned();
            console.Write(recovery);
            output.WriteLine("replayed: entries read back from the journal; checkpointed: entries covered by the checkpoints restored instead; " +
                             "replay s: the slowest replica's own recovery; read back: sampled loaded keys found intact");
            foreach (var r in report.Recoveries.Where(r => r.ExitCode is not null))
                output.WriteLine(F($"{r.Stop}: the node exited with code {r.ExitCode}") + (r.ExitCode == 0 ? " (a clean stop)" : " — NOT a clean stop"));
        }

        if (report.Targets.Count > 0)
        {
            var targets = new Table().Title("targets").AddColumns("target", "wanted", "measured", "met");
            foreach (var t in report.Targets)
                targets.AddRow(Markup.Escape(t.Name), Markup.Escape(t.Target), Markup.Escape(t.Measured),
                    Markup.Escape(t.Met switch { true => "yes", false => "NO", null => t.Note ?? "n/a" }));
            console.Write(targets);
        }
        if (report.Machine is { } machine)
            output.WriteLine(F($"machine: {machine.Cores} cores, load average {machine.LoadAverageStart:F2} at start, {machine.LoadAverageEnd:F2} at end"));
        if (report.Status != "Ok")
            output.WriteLine($"status: {report.Status}" + (report.Problem is { } problem ? $" — {problem}" : ""));
    }

    private static string Maybe(long? value) => value is { } v ? F($"{v:N0}") : "?";

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
