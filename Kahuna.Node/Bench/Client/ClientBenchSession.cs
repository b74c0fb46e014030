using Kahuna.Node.Cli;
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
    /// <summary>How long the run may take to wind down after the watchdog or Ctrl+C before it is abandoned.</summary>
    private static readonly TimeSpan WindDown = TimeSpan.FromSeconds(15);

    public static async Task<int> RunAsync(ClientBenchOptions options, CliContext context, CancellationToken stopRequested)
    {
        using var watchdog = new CancellationTokenSource(options.WatchdogLimit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, watchdog.Token);
        var run = Task.Run(() => RunBoundedAsync(options, context, stop.Token), CancellationToken.None);
        // The run normally returns soon after its token fires; if something under it ignores cancellation, stop
        // waiting so the command still ends.
        var cancelled = Task.Delay(Timeout.Infinite, stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        if (await Task.WhenAny(run, cancelled) != run && await Task.WhenAny(run, Task.Delay(WindDown)) != run)
        {
            await context.Error.WriteLineAsync($"error: the run did not stop within {WindDown.TotalSeconds:F0} s of being {(watchdog.IsCancellationRequested ? "ended by the watchdog" : "interrupted")}; abandoning it");
            return ExitCodes.Error;
        }
        int exitCode = await run;
        if (watchdog.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync($"error: watchdog: the run exceeded {options.WatchdogLimit.TotalSeconds:F0} s and was ended");
            return ExitCodes.Error;
        }
        return exitCode;
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
                progress.Note($"starting {options.LocalNodes} local node(s), {options.LocalPartitions} partitions");
                using var startLimit = CancellationTokenSource.CreateLinkedTokenSource(stop);
                startLimit.CancelAfter(ClientBenchOptions.LocalStartTimeLimit);
                try
                {
                    cluster = await LocalBenchCluster.StartAsync(options.LocalNodes, options.LocalPartitions, options.Json, startLimit.Token);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stop.IsCancellationRequested)
                {
                    return Fail(context, $"could not start the local cluster: {ex.Message}");
                }
                endpoints = cluster.Endpoints;
            }
            var clientOptions = new KahunaClientOptions
            {
                Endpoints = endpoints,
                ConnectionsPerEndpoint = options.Connections,
                RequestTimeout = options.Timeout,
                ConnectTimeout = options.Timeout < TimeSpan.FromSeconds(5) ? options.Timeout : TimeSpan.FromSeconds(5),
                ClientName = "kahuna-bench",
            };
            await using var client = new KahunaClient(clientOptions);
            string target = options.LocalNodes > 0 ? $"local {options.LocalNodes}-node cluster ({string.Join(",", endpoints)})" : string.Join(",", endpoints);
            if (await ConnectAsync(client, cluster, progress, context, stop) is { } failure)
                return failure;
            var runner = new ClientBenchRunner(options, new KahunaBenchTarget(client, options.Durability), progress);
            progress.Note($"{options.WorkloadName} --{options.DurabilityName} on {target}: {options.Concurrency} workers, " +
                          $"{options.Warmup.TotalSeconds:0.#} s warm-up, {options.Duration.TotalSeconds:0.#} s measured");
            var result = await runner.RunAsync(stop);
            if (options.Json)
                BenchReportWriter.WriteJson(context.Out, options, target, result);
            else
                BenchReportWriter.WriteTable(context.Out, options, target, result);
            if (options.CsvPath is not null)
                BenchReportWriter.AppendCsv(options.CsvPath, options, result);
            return result.Interrupted ? ExitCodes.Error : ExitCodes.Success;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await context.Error.WriteLineAsync("error: interrupted before the measurement began");
            return ExitCodes.Error;
        }
        catch (IOException ex)
        {
            return Fail(context, $"cannot write the results: {ex.Message}");
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
    private static async Task<int?> ConnectAsync(KahunaClient client, LocalBenchCluster? cluster, LiveProgress progress, CliContext context, CancellationToken stop)
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
            return Fail(context, $"cannot reach the cluster at {string.Join(",", client.Options.Endpoints)}: {ex.Message}");
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            return Fail(context, $"the local cluster had no leader in every partition within {ClientBenchOptions.LocalStartTimeLimit.TotalSeconds:F0} s");
        }
    }

    private static int Fail(CliContext context, string message)
    {
        context.Error.WriteLine($"error: {message}");
        return ExitCodes.Error;
    }
}
