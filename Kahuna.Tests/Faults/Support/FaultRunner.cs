using System.Diagnostics;
using Kahuna.Tests.Faults.Workloads;
using Kahuna.Tests.Reliability.Checkers;
using Kahuna.Tests.Reliability.History;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults.Support;

/// <summary>How long and how hard one seeded run goes.</summary>
internal sealed record FaultRunOptions(long Seed)
{
    /// <summary>Stop starting new fault steps after this much time under load.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>At most this many fault steps (one shuffled round is every kind once).</summary>
    public int MaxSteps { get; init; } = int.MaxValue;
}

/// <summary>
/// One seeded run: a fresh three-node cluster with fault injection, the register, lock and sequence workloads running
/// throughout, the seed's fault schedule, then heal everything, wait until the cluster serves again and every workload
/// has made progress, stop the load, read every key once more, and check the whole history. Any checker outcome but
/// Valid fails the run (Unknown included: a run that checked nothing is not green).
/// </summary>
internal static class FaultRunner
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(90);

    public static async Task<FaultRunReport> RunAsync(FaultRunOptions options, ITestOutputHelper log)
    {
        var clock = Stopwatch.StartNew();
        await using var faults = await FaultCluster.StartAsync(log);
        var cluster = faults.Cluster;
        var recorder = new HistoryRecorder();
        using var stop = new CancellationTokenSource();
        await using var context = new WorkloadContext(cluster, recorder, stop.Token);
        var register = new RegisterWorkload(context);
        var locks = new LockWorkload(context);
        IWorkload[] workloads = [register, locks, new SequenceWorkload(context)];
        var injected = Enum.GetValues<FaultKind>().ToDictionary(k => k, _ => 0);

        FaultRunReport? report = null;
        try
        {
        await cluster.RunAsync(async () =>
        {
            var processes = StartProcesses(workloads, options.Seed);
            await WaitForProgressAsync(recorder, workloads, since: 0, Within);

            var schedule = FaultSchedule.Generate(options.Seed, cluster.NodeIds, cluster.Keys.Count, Math.Min(options.MaxSteps, 10_000));
            var loadClock = Stopwatch.StartNew();
            foreach (var step in schedule)
            {
                if (loadClock.Elapsed >= options.Duration) break;
                ThrowIfAProcessFailed(processes);
                log.WriteLine($"[{DateTime.UtcNow:HH:mm:ss.fff}] step: {step}");
                if (await InflictAsync(faults, step)) injected[step.Kind]++;
                await faults.HealAllAsync();
                // Settle before the next fault: every node serves every partition again (faults do not pile up).
                await cluster.WaitHealthyAsync(Within);
                await Task.Delay(step.Quiet);
            }

            await faults.HealAllAsync();
            await cluster.WaitHealthyAsync(Within);
            double healedAt = recorder.Snapshot().Count == 0 ? 0 : recorder.Snapshot().Max(o => o.Invoke);
            await WaitForProgressAsync(recorder, workloads, healedAt, Within);
            stop.Cancel();
            await Task.WhenAll(processes);

            int finalProcess = workloads.Sum(w => w.Processes);
            var finalReads = new List<int>();
            finalReads.AddRange(await register.FinalReadsAsync(finalProcess, Within));
            finalReads.AddRange(await locks.FinalReadsAsync(finalProcess, Within));

            var history = recorder.Snapshot();
            CheckResult[] results =
            [
                new RegisterLinearizabilityChecker(new RegisterCheckOptions { MinimumOkWrites = 10, MinimumObservedReads = 10 }).Check(history),
                new LockChecker(new LockCheckOptions { MinimumCertainHolds = 5 }).Check(history),
                new SequenceChecker().Check(history),
            ];
            report = new FaultRunReport(options.Seed, clock.Elapsed, history, results, LostWrites.Find(history, finalReads), injected);
        });
        }
        catch (Exception)
        {
            // The run broke before it could be checked (a node never came back, a process failed): keep what was recorded.
            KeepNodeLogs(cluster, options.Seed, log);
            HistoryArtifacts.Default.Save($"{nameof(FaultRunner)}-unfinished", options.Seed, recorder.Snapshot());
            throw;
        }
        if (!report!.Passed) KeepNodeLogs(cluster, options.Seed, log);
        return report;
    }

    /// <summary>Copies every node's full output next to the kept histories (the run directory itself is deleted on dispose).</summary>
    private static void KeepNodeLogs(Kahuna.Tests.ProcessLevel.KahunaProcessCluster cluster, long seed, ITestOutputHelper log)
    {
        var target = Path.Combine(HistoryArtifacts.Default.Directory, $"{nameof(FaultRunner)}-{seed}-logs");
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(cluster.RunDirectory, "*.log"))
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)), overwrite: true);
        log.WriteLine($"node logs kept in {target}");
    }

    private static List<Task> StartProcesses(IWorkload[] workloads, long seed)
    {
        var tasks = new List<Task>();
        int process = 0;
        foreach (var workload in workloads)
        {
            for (int i = 0; i < workload.Processes; i++, process++)
            {
                int id = process;
                var random = new Random(HashCode.Combine(seed, id));
                tasks.Add(Task.Run(() => workload.RunProcessAsync(id, random)));
            }
        }
        return tasks;
    }

    /// <summary>Inflicts one step and undoes it after its hold; false when it changed nothing (a transfer to the current leader).</summary>
    internal static async Task<bool> InflictAsync(FaultCluster faults, FaultStep step)
    {
        var nodes = step.Nodes;
        switch (step.Kind)
        {
            case FaultKind.KillOne or FaultKind.KillMajority or FaultKind.KillAll:
                faults.Kill(nodes);
                await Task.Delay(step.Hold);
                await faults.Cluster.StartStoppedNodesAsync();
                break;
            case FaultKind.PauseOne:
                faults.Pause(nodes[0]);
                await Task.Delay(step.Hold);
                faults.Resume(nodes[0]);
                break;
            case FaultKind.PartitionOne:
                await faults.PartitionAsync([nodes[0]], faults.NodeIds.Except(nodes).ToList());
                await Task.Delay(step.Hold);
                break;
            case FaultKind.PartitionBridge:
                await faults.PartitionAsync([nodes[0]], [nodes[1]]);
                await Task.Delay(step.Hold);
                break;
            case FaultKind.TransferLeadership:
                bool moved = await faults.TransferLeadershipAsync(faults.Cluster.Map.Partitions[step.Partition].Id, nodes[0]);
                await Task.Delay(step.Hold);
                return moved;
        }
        return true;
    }

    /// <summary>Waits until every workload has at least a few ok operations invoked after <paramref name="since"/> (recorder seconds).</summary>
    private static async Task WaitForProgressAsync(HistoryRecorder recorder, IWorkload[] workloads, double since, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var recent = recorder.Snapshot().Where(o => o.IsOk && o.Invoke >= since).ToList();
            int registers = recent.Count(o => o.F is OperationFunction.Write or OperationFunction.Cas);
            int acquires = recent.Count(o => o.F == OperationFunction.Acquire);
            int sequences = recent.Count(o => o.F is OperationFunction.Next or OperationFunction.Range);
            if (registers >= 10 && acquires >= 3 && sequences >= 10)
                return;
            if (clock.Elapsed > within)
                throw new TimeoutException($"the load made too little progress within {within.TotalSeconds:0} s after t={since:F1}s " +
                    $"(ok register writes {registers}, ok acquires {acquires}, ok sequence allocations {sequences})");
            await Task.Delay(100);
        }
    }

    private static void ThrowIfAProcessFailed(List<Task> processes)
    {
        if (processes.FirstOrDefault(p => p.IsFaulted) is { } failed)
            throw new InvalidOperationException("a workload process failed", failed.Exception!.GetBaseException());
    }
}
