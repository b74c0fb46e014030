using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// One <c>kahuna bench</c> client run from start to end: the cluster (given, or started here), one client, the
/// runner, the report. Bounded on every side: each operation by <c>--timeout</c>, seeding and a local start by
/// their own limits, and the whole run by a watchdog (<see cref="ClientBenchOptions.WatchdogLimit"/>); Ctrl+C
/// ends the measurement and prints what was measured so far.
/// </summary>
public static class ClientBenchSession
{
    /// <summary>How long the run may take to wind down after the watchdog or Ctrl+C (stopping local nodes included).</summary>
    private static readonly TimeSpan WindDown = TimeSpan.FromSeconds(45);

    public static async Task<int> RunAsync(ClientBenchOptions options, CliContext context, CancellationToken stopRequested)
    {
        var watched = await RunWatchdog.RunAsync(stop => RunBoundedAsync(options, context, stop), options.WatchdogLimit, WindDown, stopRequested);
        switch (watched.Ending)
        {
            case RunEnding.Abandoned:
                return Fail(context, options.Json, $"the run did not stop within {WindDown.TotalSeconds:F0} s of being " +
                    (stopRequested.IsCancellationRequested ? "interrupted" : $"ended by the watchdog at {options.WatchdogLimit.TotalSeconds:F0} s") + "; abandoning it");
            case RunEnding.EndedByWatchdog:
                // What was measured is already printed (marked interrupted); say why it stopped.
                await context.Error.WriteLineAsync($"error: watchdog: the run exceeded {options.WatchdogLimit.TotalSeconds:F0} s and was ended");
                return ExitCodes.Error;
            default:
                return watched.ExitCode;
        }
    }

    private static async Task<int> RunBoundedAsync(ClientBenchOptions options, CliContext context, CancellationToken stop)
    {
        bool interactive = ReferenceEquals(context.Error, Console.Error) && !Console.IsErrorRedirected;
        var progress = new LiveProgress(context.Error, interactive, options.MaxLatencyMicros);
        LocalBenchCluster? cluster = null;
        try
        {
            IReadOnlyList<string> endpoints = options.Endpoints;
            if (options.LocalNodes > 0)
            {
                progress.Note($"starting {options.LocalNodes} local node(s), {options.LocalPartitions?.ToString() ?? "default"} partitions");
                using var startLimit = CancellationTokenSource.CreateLinkedTokenSource(stop);
                startLimit.CancelAfter(ClientBenchOptions.LocalStartTimeLimit);
                try
                {
                    cluster = await LocalBenchCluster.StartAsync(options.LocalNodes, options.LocalPartitions, options.Json, startLimit.Token, options.LocalConfigFile);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    return Fail(context, options.Json, $"could not start the local cluster: {ex.Message}");
                }
                endpoints = cluster.Endpoints;
            }
            var clientOptions = new KahunaClientOptions
            {
                Endpoints = endpoints,
                ConnectionsPerEndpoint = options.Connections,
                RouteToLeaders = options.RouteToLeaders,
                RequestTimeout = options.Timeout,
                ConnectTimeout = options.Timeout < TimeSpan.FromSeconds(5) ? options.Timeout : TimeSpan.FromSeconds(5),
                ClientName = "kahuna-bench",
                Credential = options.Token,
            };
            await using var client = new KahunaClient(clientOptions);
            string target = options.LocalNodes > 0 ? $"local {options.LocalNodes}-node cluster ({string.Join(",", endpoints)})" : string.Join(",", endpoints);
            if (await ConnectAsync(client, cluster, progress, context, options.Json, stop) is { } failure)
                return failure;
            var runner = new ClientBenchRunner(options, new KahunaBenchTarget(client, options.Durability), progress);
            progress.Note($"{options.WorkloadName} --{options.DurabilityName} on {target}: {options.Concurrency} workers, " +
                          $"{options.Warmup.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured");
            var result = await runner.RunAsync(stop);
            if (options.Json)
                BenchReportWriter.WriteJson(context.Out, options, target, result, cluster?.DataRoot);
            else
                BenchReportWriter.WriteTable(context.Out, options, target, result);
            if (options.CsvPath is not null)
            {
                try
                {
                    BenchReportWriter.AppendCsv(options.CsvPath, options, result);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The result is already printed: say only why the file is missing it.
                    await context.Error.WriteLineAsync($"error: cannot append to {options.CsvPath}: {ex.Message}");
                    return ExitCodes.Error;
                }
            }
            return result.Interrupted ? ExitCodes.Error : ExitCodes.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            return Fail(context, options.Json, "interrupted before the measurement began");
        }
        finally
        {
            if (cluster is not null)
            {
                progress.Note("stopping the local cluster");
                await cluster.DisposeAsync();
            }
        }
    }

    /// <summary>Opens the connection and, for a local cluster, waits until every partition has a leader.</summary>
    private static async Task<int?> ConnectAsync(KahunaClient client, LocalBenchCluster? cluster, LiveProgress progress, CliContext context, bool json, CancellationToken stop)
    {
        try
        {
            await client.PingAsync(stop);
            if (cluster is not null)
            {
                progress.Note("waiting for a leader in every partition");
                await cluster.WaitUntilReadyAsync(client, ClientBenchOptions.LocalStartTimeLimit, stop);
            }
            return null;
        }
        catch (KahunaException ex)
        {
            return Fail(context, json, $"cannot reach the cluster at {string.Join(",", client.Options.Endpoints)}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return Fail(context, json, $"the local cluster had no leader in every partition within {ClientBenchOptions.LocalStartTimeLimit.TotalSeconds:F0} s");
        }
    }

    /// <summary>The run could not be carried out: the message on stderr, and with --json one object saying so on stdout.</summary>
    private static int Fail(CliContext context, bool json, string message) =>
        new CommandOutput(context, json).Fault("Error", message, ExitCodes.Error);
}
