using System.Text;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// One footprint run end to end: start a single node as a child process on a fresh data directory, measure its idle
/// RSS, load the key space through the client, measure again, then for each stop kind stop it, start it again on
/// the same data and time how long until every partition serves. The node is killed by PID and the data deleted on
/// every way out (return, failure, Ctrl+C).
/// </summary>
public static class FootprintRun
{
    private static readonly TimeSpan StartWithin = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan TermWithin = TimeSpan.FromSeconds(60);

    public static async Task<FootprintReport> RunAsync(FootprintOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var runDirectory = Path.Combine(Path.GetTempPath(), $"kahuna-footprint-{Guid.NewGuid():N}");
        var dataDirectory = Path.Combine(runDirectory, "n1");
        var configFile = Path.Combine(runDirectory, "node.conf");
        Directory.CreateDirectory(runDirectory);
        var parameters = new FootprintParameters(options.Keys, options.ValueSize, options.Partitions, options.DurabilityName, options.Concurrency,
            options.Connections, options.SnapshotEveryEntries, options.ConfigFile,
            options.Recoveries.Select(StopName).ToList());
        double loadStart = MachineFigure.LoadAverageNow();
        var keys = new FootprintKeys(options.Partitions, options.ValueSize);
        var pids = new List<int>();
        var recoveries = new List<RecoveryFigure>();
        MemoryFigure? idle = null, loaded = null, loadedIdle = null;
        LoadFigure? load = null;
        NodeChild? node = null;
        FootprintReport Report(string status, string? problem) => new()
        {
            Status = status, Problem = problem, Parameters = parameters, Idle = idle, Load = load, Loaded = loaded, LoadedIdle = loadedIdle,
            Recoveries = recoveries, Targets = FootprintReport.Judge(parameters, idle, load, loaded, loadedIdle, recoveries),
            Machine = new MachineFigure(Environment.ProcessorCount, loadStart, MachineFigure.LoadAverageNow()),
            DataDirectory = dataDirectory, NodePids = pids,
        };
        try
        {
            await File.WriteAllTextAsync(configFile, NodeConfig(options), cancellationToken).ConfigureAwait(false);
            log($"starting a node (data {dataDirectory})");
            node = NodeChild.Start(dataDirectory, configFile, options.Partitions);
            pids.Add(node.Pid);
            var endpoint = await node.WaitReadyAsync(StartWithin, cancellationToken).ConfigureAwait(false);
            await using (var probe = RecoveryProbe.ProbeClient(endpoint))
                await RecoveryProbe.WaitServingAsync(node, probe, keys, expectWritten: false, StartWithin, cancellationToken).ConfigureAwait(false);
            log($"node pid {node.Pid} serves on {endpoint} after {node.SinceSpawn.Elapsed.TotalSeconds:F1} s; waiting for its RSS to settle");
            idle = await MemorySettle.MeasureAsync(node.Pid, options.SettleWindow, options.SettleLimit, cancellationToken).ConfigureAwait(false);
            log($"idle: RSS {idle.RssMiB:F0} MiB ({Settled(idle)})");

            await using (var client = LoadClient(endpoint, options))
            {
                log($"loading {options.Keys:N0} {options.DurabilityName} keys of {options.ValueSize} B, {options.Concurrency} in flight (limit {options.LoadLimit.TotalMinutes:0.#} min)");
                var pid = node.Pid;
                load = await KeyLoader.LoadAsync(client, keys, options, _ => $"node RSS {Rss(pid)}", log, cancellationToken).ConfigureAwait(false);
                log($"loaded {load.Loaded:N0} keys in {load.Seconds:F0} s ({load.KeysPerSecond:N0}/s), {load.Failed} failed");
                await KeyLoader.WriteProbesAsync(client, keys, cancellationToken).ConfigureAwait(false);
            }
            loaded = await MemorySettle.MeasureAsync(node.Pid, options.SettleWindow, options.SettleLimit, cancellationToken).ConfigureAwait(false);
            log($"with keys: RSS {loaded.RssMiB:F0} MiB, peak {loaded.PeakMiB:F0} MiB ({Settled(loaded)})");
            if (options.IdleWait > TimeSpan.Zero)
            {
                log($"leaving the node quiet for {options.IdleWait.TotalSeconds:F0} s");
                await Task.Delay(options.IdleWait, cancellationToken).ConfigureAwait(false);
                loadedIdle = await MemorySettle.MeasureAsync(node.Pid, options.SettleWindow, options.SettleLimit, cancellationToken).ConfigureAwait(false);
                log($"with keys, idle: RSS {loadedIdle.RssMiB:F0} MiB ({Settled(loadedIdle)})");
            }

            foreach (var stop in options.Recoveries)
            {
                var (figure, restarted) = await RestartAsync(node, stop, dataDirectory, configFile, keys, load, options, log, cancellationToken).ConfigureAwait(false);
                // The stopped node was disposed by RestartAsync (disposing twice is harmless).
                node = restarted;
                pids.Add(node.Pid);
                recoveries.Add(figure);
            }
            string? incomplete = load.Complete ? null
                : load.Failed > 0 ? $"{load.Failed:N0} writes failed (last error: {load.LastError})"
                : $"the load stopped at --load-limit after {load.Loaded:N0} keys";
            return Report(load.Complete ? "Ok" : "Incomplete", incomplete);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not OperationCanceledException)
        {
            return Report("Error", ex.Message);
        }
        finally
        {
            node?.Dispose();
            DeleteDirectory(runDirectory);
        }
    }

    /// <summary>Stops <paramref name="node"/> the given way, starts a new one on the same data and measures its recovery.</summary>
    private static async Task<(RecoveryFigure Figure, NodeChild Node)> RestartAsync(NodeChild node, StopKind stop, string dataDirectory, string configFile,
        FootprintKeys keys, LoadFigure load, FootprintOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var stopClock = System.Diagnostics.Stopwatch.StartNew();
        int? exitCode = null;
        if (stop == StopKind.Term)
            exitCode = await node.TerminateAsync(TermWithin).ConfigureAwait(false);
        else
            await node.KillAsync().ConfigureAwait(false);
        var stopSeconds = stopClock.Elapsed.TotalSeconds;
        node.Dispose();
        log($"{StopName(stop)}: the node was gone after {stopSeconds:F1} s{(exitCode is { } c ? $" (exit code {c})" : "")}; starting it again on the same data");

        var restarted = NodeChild.Start(dataDirectory, configFile, options.Partitions);
        try
        {
            return (await MeasureRecoveryAsync(restarted, stop, stopSeconds, exitCode, keys, load, options, log, cancellationToken).ConfigureAwait(false), restarted);
        }
        catch
        {
            restarted.Dispose();
            throw;
        }
    }

    private static async Task<RecoveryFigure> MeasureRecoveryAsync(NodeChild restarted, StopKind stop, double stopSeconds, int? exitCode,
        FootprintKeys keys, LoadFigure load, FootprintOptions options, Action<string> log, CancellationToken cancellationToken)
    {
        var endpoint = await restarted.WaitReadyAsync(options.RecoveryLimit, cancellationToken).ConfigureAwait(false);
        await using var probe = RecoveryProbe.ProbeClient(endpoint);
        var served = await RecoveryProbe.WaitServingAsync(restarted, probe, keys, expectWritten: true, options.RecoveryLimit, cancellationToken)
            .ConfigureAwait(false);
        var serving = served.Values.Max();
        log($"serving in every partition {serving.TotalSeconds:F2} s after the spawn (ready line at {restarted.ReadyAfter?.TotalSeconds:F2} s)");

        // The probe's 2-s timeout is for seeing the first moment each partition serves. What follows only checks,
        // so it takes a patient client: on a loaded machine a node just back may take longer than that to answer.
        await using var checker = LoadClient(endpoint, options);
        var status = await checker.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        long logEntries = status.Partitions.Sum(p => p.CommitIndex);
        var lines = await restarted.RecoveriesAsync(options.Partitions, TimeSpan.FromSeconds(2)).ConfigureAwait(false);
        // A replica that replayed nothing logs no line: then all its state came from its checkpoint.
        long? replayed = lines.Count == 0 ? null : lines.Sum(l => l.EntriesReplayed);
        long? fromSnapshot = lines.Count == 0 ? null : status.Partitions.Sum(p =>
            lines.FirstOrDefault(l => l.GroupId == $"p{p.Id}") is { } line ? line.FromSnapshot : p.CommitIndex);
        var (sampled, found) = await RecoveryProbe.VerifySampleAsync(checker, keys, load.Loaded, options.VerifySample, options.Durability, cancellationToken)
            .ConfigureAwait(false);
        log($"log: {logEntries:N0} entries, {replayed?.ToString("N0") ?? "?"} replayed from the journal, {fromSnapshot?.ToString("N0") ?? "?"} from checkpoints; " +
            $"{found}/{sampled} sampled keys read back");
        var memory = await MemorySettle.MeasureAsync(restarted.Pid, options.SettleWindow, options.SettleLimit, cancellationToken).ConfigureAwait(false);
        log($"after the restart: RSS {memory.RssMiB:F0} MiB ({Settled(memory)})");
        return new RecoveryFigure(StopName(stop), Math.Round(stopSeconds, 2), exitCode, Math.Round(restarted.ReadyAfter?.TotalSeconds ?? 0, 2),
            Math.Round(serving.TotalSeconds, 2), Math.Round(served.Values.Min().TotalSeconds, 2), logEntries, replayed, fromSnapshot,
            lines.Count == 0 ? null : Math.Round(lines.Max(l => l.Seconds), 2), sampled, found, memory);
    }

    /// <summary>
    /// The node's HOCON: INFO logging, because the replicas' "recovered N entries" lines are the only place their
    /// replay figures appear (the client-visible cluster status does not carry them); the snapshot override; then
    /// the user's file, last so it wins.
    /// </summary>
    internal static string NodeConfig(FootprintOptions options)
    {
        var config = new StringBuilder()
            .AppendLine("# Written by kahuna bench footprint.")
            .AppendLine("akka.loglevel = INFO")
            .AppendLine("akka.stdout-loglevel = INFO");
        if (options.SnapshotEveryEntries is { } every)
            config.AppendLine($"kahuna.raft.snapshot-every-entries = {every}")
                .AppendLine("kahuna.raft.snapshot-every-bytes = 1TiB")
                // Exactly every N entries: no waiting for a big state's log to grow, no other cap.
                .AppendLine("kahuna.raft.snapshot-growth-ratio = 0")
                .AppendLine($"kahuna.raft.snapshot-max-entries = {every}");
        if (options.ConfigFile is { } file)
            config.AppendLine($"# from {file}").AppendLine(File.ReadAllText(file));
        return config.ToString();
    }

    private static KahunaClient LoadClient(string endpoint, FootprintOptions options) => new(new KahunaClientOptions
    {
        Endpoints = [endpoint],
        ConnectionsPerEndpoint = options.Connections,
        // Generous: a write queued behind a checkpoint may wait; a timeout is retried, not the end of the load.
        RequestTimeout = TimeSpan.FromSeconds(30),
        ClientName = "footprint-load",
    });

    public static string StopName(StopKind stop) => stop == StopKind.Term ? "sigterm" : "sigkill";

    private static string Rss(int pid) => MemoryReading.Read(pid) is { } r ? $"{r.RssKiB / 1024:N0} MiB" : "?";

    private static string Settled(MemoryFigure m) => m.Settled ? $"settled after {m.SettleSeconds:F0} s" : $"still moving after {m.SettleSeconds:F0} s";

    private static void DeleteDirectory(string path)
    {
        for (int attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                if (Directory.Exists(path))
                    Directory.Delete(path, recursive: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && attempt < 19)
            {
                // The killed node's files may still be closing.
                Thread.Sleep(50);
            }
        }
    }
}
