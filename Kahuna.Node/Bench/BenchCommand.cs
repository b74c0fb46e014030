using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Common;
using Spectre.Console;

namespace Kahuna.Node.Bench;

/// <summary>
/// `kahuna bench …`: load generators. `raft` measures the Raft layer alone (three in-process nodes, fsync on);
/// `footprint` the memory and recovery time of one node run as a child process.
/// </summary>
public static class BenchCommand
{
    public static Command Create(CliContext context)
    {
        var bench = new Command("bench", "Measure performance (a benchmark, not a test: nothing here gates on a time)");
        bench.Add(CreateRaft(context));
        bench.Add(Footprint.FootprintCommand.Create(context));
        foreach (var workload in Client.ClientBenchCommand.CreateAll(context))
            bench.Add(workload);
        return bench;
    }

    private static Command CreateRaft(CliContext context)
    {
        var command = new Command("raft", "Raft throughput and latency: 3 nodes in this process, SQLite with fsync, 128-byte proposals, " +
                                          "a closed loop on each leader; then recovery speed of a restarted replica");
        var groups = new Option<string>("--groups") { Description = "Comma-separated numbers of Raft groups to measure", DefaultValueFactory = _ => "1,16,64" };
        var duration = new Option<string>("--duration") { Description = "Measured time per configuration (e.g. 10s)", DefaultValueFactory = _ => "10s" };
        var warmup = new Option<string>("--warmup") { Description = "Unmeasured time before each measurement", DefaultValueFactory = _ => "3s" };
        var inFlight = new Option<int>("--in-flight") { Description = "Proposals in flight across all groups (at least 4 per group)", DefaultValueFactory = _ => 1024 };
        var payload = new Option<int>("--payload") { Description = "Proposal size in bytes", DefaultValueFactory = _ => 128 };
        var recovery = new Option<int>("--recovery-entries") { Description = "Entries to replay in the recovery measurement (0 skips it)", DefaultValueFactory = _ => 200_000 };
        var raftConfig = new Option<string?>("--raft-config") { Description = "HOCON settings of kahuna.raft for every node, e.g. \"batch-messages = off\"", HelpName = "hocon" };
        var shell = new Option<string>("--shell")
        {
            Description = "replica-actors: the product's replica shell (one persistent actor per replica); node-pass: a prototype " +
                          "for comparison that runs every group of a node in one actor, with one journal write and one message per " +
                          "peer per pass (no snapshots or restarts; the recovery measurement always uses replica-actors)",
            DefaultValueFactory = _ => "replica-actors",
        };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with every result" };
        foreach (var o in new Option[] { groups, duration, warmup, inFlight, payload, recovery, raftConfig, shell, json }) command.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            if (!Durations.TryParse(parse.GetValue(duration), out var d) || !Durations.TryParse(parse.GetValue(warmup), out var w))
            {
                await context.Error.WriteLineAsync("--duration and --warmup take durations such as 10s or 500ms");
                return ExitCodes.UsageError;
            }
            var counts = (parse.GetValue(groups) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => int.TryParse(s, out var n) ? n : 0).ToList();
            if (counts.Count == 0 || counts.Any(n => n is < 1 or > 1024))
            {
                await context.Error.WriteLineAsync("--groups takes numbers between 1 and 1024, e.g. 1,16,64");
                return ExitCodes.UsageError;
            }
            RaftBenchShell? shellKind = parse.GetValue(shell) switch
            {
                "replica-actors" => RaftBenchShell.ReplicaActors,
                "node-pass" => RaftBenchShell.NodePass,
                _ => null,
            };
            if (shellKind is null)
            {
                await context.Error.WriteLineAsync($"--shell takes replica-actors or node-pass, not '{parse.GetValue(shell)}'");
                return ExitCodes.UsageError;
            }
            var options = new RaftBenchOptions
            {
                Shell = shellKind.Value, Groups = counts, Duration = d, Warmup = w,
                InFlight = Math.Max(1, parse.GetValue(inFlight)), PayloadBytes = Math.Max(1, parse.GetValue(payload)),
                RecoveryEntries = Math.Max(0, parse.GetValue(recovery)),
                LogLevel = parse.GetValue(json) ? "OFF" : "ERROR",
                RaftOverrides = new RaftBenchOptions().RaftOverrides + "\n" + (parse.GetValue(raftConfig) ?? ""),
            };
            return await RunAsync(options, parse.GetValue(json), context, ct);
        });
        return command;
    }

    private static async Task<int> RunAsync(RaftBenchOptions options, bool json, CliContext context, CancellationToken ct)
    {
        void Log(string line) => context.Error.WriteLine($"[bench] {line}");
        var rows = new List<RaftBenchRow>();
        foreach (var groups in options.Groups)
        {
            Log($"measuring {groups} group(s) ({ShellName(options.Shell)}) for {options.Duration.TotalSeconds:F0}s after {options.Warmup.TotalSeconds:F0}s warm-up");
            var row = options.Shell == RaftBenchShell.NodePass
                ? await NodePass.NodePassBench.RunGroupsAsync(groups, options, Log, ct)
                : await RaftBenchmark.RunGroupsAsync(groups, options, Log, ct);
            Log($"{groups} group(s): {row.EntriesPerSecond:F0} entries/s, p50 {row.P50Ms:F2} ms, p99 {row.P99Ms:F2} ms");
            rows.Add(row);
        }
        RecoveryRow? recovery = null;
        if (options.RecoveryEntries > 0)
        {
            Log($"recovery: writing {options.RecoveryEntries} entries, then restarting a follower");
            recovery = await RaftBenchmark.RunRecoveryAsync(options, Log, ct);
        }
        if (json)
        {
            await context.Out.WriteLineAsync(JsonSerializer.Serialize(new { shell = ShellName(options.Shell), options.PayloadBytes, options.InFlight, durationSeconds = options.Duration.TotalSeconds, rows, recovery },
                new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
            return ExitCodes.Success;
        }
        var table = new Table().AddColumns("groups", "entries/s", "p50 ms", "p99 ms", "max ms", "failed", "events/fsync", "load avg", "runnable", "threads");
        foreach (var r in rows)
            table.AddRow($"{r.Groups}", $"{r.EntriesPerSecond:F0}", $"{r.P50Ms:F2}", $"{r.P99Ms:F2}", $"{r.MaxMs:F1}", $"{r.Failed}",
                $"{r.EventsPerFsync:F1}", $"{r.LoadAverage:F2}", $"{r.MeanRunnable:F1}", $"{r.MaxThreads}");
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(context.Out) });
        console.Profile.Width = Math.Max(console.Profile.Width, 120);
        console.Write(table);
        if (recovery is not null)
            await context.Out.WriteLineAsync($"recovery: {recovery.Entries} entries replayed in {recovery.Seconds:F2} s = {recovery.EntriesPerSecond:F0} entries/s");
        return ExitCodes.Success;
    }

    private static string ShellName(RaftBenchShell shell) => shell == RaftBenchShell.NodePass ? "node-pass" : "replica-actors";
}
