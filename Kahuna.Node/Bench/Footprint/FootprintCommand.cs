using System.CommandLine;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// <c>kahuna bench footprint</c>: the memory and recovery targets of one node (idle RSS, RSS with N keys, time to
/// serve again after SIGTERM and after SIGKILL). See README.md beside this file.
/// </summary>
public static class FootprintCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("footprint",
            "Memory and recovery of one node run as a child process (kahuna start, 127.0.0.1, temporary data): idle RSS, " +
            "RSS after loading --keys keys through the client, then the time until it serves again after SIGTERM and after SIGKILL");
        var keys = new Option<int>("--keys") { Description = "Keys to load (fp:0..N-1)", DefaultValueFactory = _ => 1_000_000, HelpName = "n" };
        var valueSize = new Option<int>("--value-size") { Description = "Bytes per value", DefaultValueFactory = _ => 128, HelpName = "bytes" };
        var partitions = new Option<int>("--partitions") { Description = "Partitions of the node", DefaultValueFactory = _ => 8, HelpName = "n" };
        var persistent = new Option<bool>("--persistent") { Description = "Load replicated, fsynced keys (the default)" };
        var ephemeral = new Option<bool>("--ephemeral") { Description = "Load leader-memory keys (lost on restart; recovery then restores only the probe keys)" };
        var concurrency = new Option<int>("--concurrency") { Description = "Writes in flight during the load", DefaultValueFactory = _ => 256, HelpName = "n" };
        var connections = new Option<int>("--connections") { Description = "Client connections the writes are pipelined over", DefaultValueFactory = _ => 4, HelpName = "n" };
        var loadLimit = OptionFactory.Duration("--load-limit", "Stop loading after this long and report what was written (default 20m)");
        var recovery = new Option<string>("--recovery") { Description = "Restarts to measure, in order: sigterm, sigkill, both, or none", DefaultValueFactory = _ => "both", HelpName = "sigterm|sigkill|both|none" };
        var recoveryLimit = OptionFactory.Duration("--recovery-limit", "Longest wait from a restart's spawn until every partition serves (default 3m)");
        var settleWindow = OptionFactory.Duration("--settle-window", "RSS counts as settled once flat (±2 MiB or 1 %) this long (default 3s)");
        var settleLimit = OptionFactory.Duration("--settle-limit", "Longest wait for RSS to settle; then the last reading is taken, marked unsettled (default 30s)");
        var idleWait = OptionFactory.Duration("--idle-wait", "After the load settles, leave the node quiet this long and read RSS again (default 10s; 0 skips)");
        var snapshotEvery = new Option<long?>("--snapshot-every") { Description = "Override kahuna.raft.snapshot-every-entries (and lift snapshot-every-bytes): recovery then replays up to this many entries per partition", HelpName = "entries" };
        var config = new Option<string?>("--config") { Description = "A HOCON file for the node, applied after this command's settings", HelpName = "file" };
        var verifySample = new Option<int>("--verify-sample") { Description = "Loaded keys read back after each restart", DefaultValueFactory = _ => 256, HelpName = "n" };
        var json = new Option<bool>("--json") { Description = "Print one JSON object with every figure (progress still goes to stderr)" };
        foreach (var o in new Option[] { keys, valueSize, partitions, persistent, ephemeral, concurrency, connections, loadLimit, recovery, recoveryLimit,
                     settleWindow, settleLimit, idleWait, snapshotEvery, config, verifySample, json })
            command.Add(o);
        command.SetAction(async (parse, ct) =>
        {
            var problems = new List<string>();
            if (parse.GetValue(persistent) && parse.GetValue(ephemeral))
                problems.Add("--persistent and --ephemeral: choose one");
            var stops = ParseRecoveries(parse.GetValue(recovery), problems);
            var defaults = new FootprintOptions();
            var options = new FootprintOptions
            {
                Keys = parse.GetValue(keys),
                ValueSize = parse.GetValue(valueSize),
                Partitions = parse.GetValue(partitions),
                Durability = parse.GetValue(ephemeral) ? Durability.Ephemeral : Durability.Persistent,
                Concurrency = parse.GetValue(concurrency),
                Connections = parse.GetValue(connections),
                LoadLimit = parse.GetValue(loadLimit) ?? defaults.LoadLimit,
                Recoveries = stops,
                RecoveryLimit = parse.GetValue(recoveryLimit) ?? defaults.RecoveryLimit,
                SettleWindow = parse.GetValue(settleWindow) ?? defaults.SettleWindow,
                SettleLimit = parse.GetValue(settleLimit) ?? defaults.SettleLimit,
                IdleWait = parse.GetValue(idleWait) ?? defaults.IdleWait,
                SnapshotEveryEntries = parse.GetValue(snapshotEvery),
                ConfigFile = parse.GetValue(config) is { } file ? Path.GetFullPath(file) : null,
                VerifySample = parse.GetValue(verifySample),
                Json = parse.GetValue(json),
            };
            problems.AddRange(options.Validate());
            if (problems.Count > 0)
            {
                var output = new CommandOutput(context, options.Json);
                foreach (var problem in problems.SkipLast(1))
                    await context.Error.WriteLineAsync($"error: {problem}");
                output.Fault("UsageError", problems[^1], ExitCodes.UsageError);
                await context.Error.WriteLineAsync("see 'kahuna bench footprint --help'");
                return ExitCodes.UsageError;
            }
            var report = await FootprintRun.RunAsync(options, line => context.Error.WriteLine($"[footprint] {line}"), ct);
            FootprintReportWriter.Write(report, options.Json, context.Out);
            if (report.Problem is { } failure && report.Status == "Error")
                await context.Error.WriteLineAsync($"error: {failure}");
            return report.Status == "Error" ? ExitCodes.Error : ExitCodes.Success;
        });
        return command;
    }

    private static IReadOnlyList<StopKind> ParseRecoveries(string? text, List<string> problems)
    {
        switch ((text ?? "both").Trim().ToLowerInvariant())
        {
            case "both": return [StopKind.Term, StopKind.Kill];
            case "sigterm": return [StopKind.Term];
            case "sigkill": return [StopKind.Kill];
            case "none": return [];
            case var other:
                problems.Add($"--recovery: '{other}' is none of sigterm, sigkill, both, none");
                return [];
        }
    }
}
