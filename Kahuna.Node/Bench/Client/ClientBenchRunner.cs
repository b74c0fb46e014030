using System.Diagnostics;
using System.Globalization;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// One benchmark run against a target: seed the key space (get, mixed) → warm-up (discarded) → measurement.
/// Closed loop: <see cref="ClientBenchOptions.Concurrency"/> workers, each with one operation in flight.
/// Every operation has its own timeout; the phases end on time or when the caller's token fires (Ctrl+C, the
/// watchdog), in which case the measurement so far is returned marked as interrupted.
/// </summary>
public sealed class ClientBenchRunner(ClientBenchOptions options, IBenchTarget target, LiveProgress progress)
{
    private int _sequentialKey;

    /// <summary>Called with "warm-up" or "measure" as each phase begins, before its workers start.</summary>
    public Action<string>? PhaseStarted { get; init; }

    /// <exception cref="OperationCanceledException"><paramref name="stop"/> fired before the measurement began.</exception>
    public async Task<BenchResult> RunAsync(CancellationToken stop)
    {
        SeedSummary? seeding = options.Seeds ? await SeedAsync(stop).ConfigureAwait(false) : null;
        stop.ThrowIfCancellationRequested();
        if (options.Warmup > TimeSpan.Zero)
        {
            await RunPhaseAsync("warm-up", options.Warmup, stop).ConfigureAwait(false);
            stop.ThrowIfCancellationRequested();
        }
        double loadAtStart = ReadLoadAverage();
        await using var sampler = new MachineSampler();
        var (workers, seconds) = await RunPhaseAsync("measure", options.Duration, stop).ConfigureAwait(false);
        var merged = WorkerStats.Merge(workers, options.MaxLatencyMicros);
        return new BenchResult
        {
            Rows = BenchResult.BuildRows(merged, seconds),
            Errors = merged.Errors.OrderByDescending(e => e.Value).ToDictionary(e => e.Key, e => e.Value),
            SequenceViolations = merged.SequenceViolations,
            ElapsedSeconds = seconds,
            Seeding = seeding,
            Load = new MachineLoad(loadAtStart, sampler.LoadAverage > 0 ? sampler.LoadAverage : ReadLoadAverage(), sampler.MeanRunnable, Environment.ProcessorCount),
            Interrupted = stop.IsCancellationRequested,
        };
    }

    /// <summary>Writes keys 0..min(key-space, 100 000)-1 with bounded parallelism; failures are counted, not fatal.</summary>
    private async Task<SeedSummary> SeedAsync(CancellationToken stop)
    {
        int count = options.SeedKeyCount;
        progress.Note($"seeding {count} keys of {options.ValueSize} B ({options.DurabilityName})");
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(stop);
        limit.CancelAfter(ClientBenchOptions.SeedTimeLimit);
        long failed = 0;
        bool timedOut = false;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Min(options.Concurrency, 64), CancellationToken = limit.Token };
        try
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, count), parallel, async (i, ct) =>
            {
                var value = new byte[options.ValueSize];
                Random.Shared.NextBytes(value);
                using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
                deadline.CancelAfter(options.Timeout);
                try
                {
                    await target.SetAsync(KeyName(i), value, deadline.Token).ConfigureAwait(false);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    Interlocked.Increment(ref failed);
                }
            }).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            timedOut = true;
            progress.Note($"seeding gave up after {ClientBenchOptions.SeedTimeLimit.TotalSeconds:F0} s; going on with part of the key space");
        }
        catch (OperationCanceledException)
        {
            // Interrupted: the caller notices the token.
        }
        progress.Note(string.Create(CultureInfo.InvariantCulture, $"seeded in {clock.Elapsed.TotalSeconds:F1} s, {failed} writes failed"));
        return new SeedSummary(count, failed, clock.Elapsed.TotalSeconds, timedOut);
    }

    private async Task<(WorkerStats[] Workers, double Seconds)> RunPhaseAsync(string phase, TimeSpan length, CancellationToken stop)
    {
        Interlocked.Exchange(ref _sequentialKey, 0);
        progress.Reset();
        PhaseStarted?.Invoke(phase);
        using var phaseEnd = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var stats = Enumerable.Range(0, options.Concurrency).Select(_ => new WorkerStats(options.MaxLatencyMicros)).ToArray();
        var clock = Stopwatch.StartNew();
        phaseEnd.CancelAfter(length);
        var reporter = progress.ReportEverySecondAsync(phase, length, phaseEnd.Token);
        var workers = stats.Select((s, id) => Task.Run(() => WorkerAsync(id, s, phaseEnd.Token))).ToArray();
        await Task.WhenAll(workers).ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        await phaseEnd.CancelAsync().ConfigureAwait(false);
        await reporter.ConfigureAwait(false);
        return (stats, seconds);
    }

    private async Task WorkerAsync(int id, WorkerStats stats, CancellationToken phaseEnd)
    {
        var random = options.RandomSeed == 0 ? new Random(HashCode.Combine(Environment.TickCount64, id)) : new Random(options.RandomSeed + id);
        var value = new byte[options.ValueSize];
        var owner = LockOwner.NewRandom();
        var batchKeys = new string[options.Batch];
        long lastSequence = long.MinValue;
        while (!phaseEnd.IsCancellationRequested)
        {
            var op = ChooseOp(random);
            string key = op == BenchOp.Sequence ? ClientBenchOptions.SequenceName : KeyName(NextKeyNumber(random));
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(phaseEnd);
            deadline.CancelAfter(options.Timeout);
            progress.Started();
            long start = Stopwatch.GetTimestamp();
            var outcome = BenchOutcome.Success;
            string? category = null;
            try
            {
                switch (op)
                {
                    case BenchOp.Set when batchKeys.Length > 1:
                        random.NextBytes(value);
                        await target.SetManyAsync(FillBatch(batchKeys, key, random), value, deadline.Token).ConfigureAwait(false);
                        break;
                    case BenchOp.Set:
                        random.NextBytes(value);
                        await target.SetAsync(key, value, deadline.Token).ConfigureAwait(false);
                        break;
                    case BenchOp.Get when batchKeys.Length > 1:
                        if (await target.GetManyAsync(FillBatch(batchKeys, key, random), deadline.Token).ConfigureAwait(false) < batchKeys.Length)
                            outcome = BenchOutcome.Miss;
                        break;
                    case BenchOp.Get:
                        if (!await target.GetAsync(key, deadline.Token).ConfigureAwait(false))
                            outcome = BenchOutcome.Miss;
                        break;
                    case BenchOp.Lock:
                        if (await target.TryLockAsync(key, owner, options.LockLease, deadline.Token).ConfigureAwait(false))
                            await target.UnlockAsync(key, owner, deadline.Token).ConfigureAwait(false);
                        else
                            outcome = BenchOutcome.Miss; // busy: another worker holds it, a normal answer
                        break;
                    case BenchOp.Sequence:
                        long next = await target.NextSequenceAsync(key, options.SequenceCount, deadline.Token).ConfigureAwait(false);
                        // Successive values one client receives from a linearizable sequence must increase.
                        if (next <= lastSequence)
                            stats.RecordSequenceViolation();
                        lastSequence = next;
                        break;
                }
            }
            catch (OperationCanceledException) when (phaseEnd.IsCancellationRequested)
            {
                progress.Abandoned(); // the phase ended under it: not counted
                break;
            }
            catch (Exception ex) when (deadline.IsCancellationRequested || BenchErrors.IsTimeout(ex))
            {
                outcome = BenchOutcome.Timeout;
            }
            catch (Exception ex)
            {
                outcome = BenchOutcome.Error;
                category = BenchErrors.Categorize(ex);
            }
            long micros = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            if (category is not null)
                stats.RecordError(op, category, micros);
            else
                stats.Record(op, outcome, micros);
            progress.Finished(outcome, micros);
        }
    }

    /// <summary>The keys of one batched operation: the key already drawn, then more from the same distribution.</summary>
    private string[] FillBatch(string[] keys, string first, Random random)
    {
        keys[0] = first;
        for (var i = 1; i < keys.Length; i++) keys[i] = KeyName(NextKeyNumber(random));
        return keys;
    }

    private BenchOp ChooseOp(Random random) => options.Workload switch
    {
        BenchWorkload.Set => BenchOp.Set,
        BenchWorkload.Get => BenchOp.Get,
        BenchWorkload.Mixed => random.Next(100) < options.ReadPercent ? BenchOp.Get : BenchOp.Set,
        BenchWorkload.Lock => BenchOp.Lock,
        _ => BenchOp.Sequence,
    };

    private int NextKeyNumber(Random random) => options.KeyDistribution == KeyDistribution.Sequential
        ? (Interlocked.Increment(ref _sequentialKey) & int.MaxValue) % options.KeySpace
        : random.Next(options.KeySpace);

    private string KeyName(int number) => options.KeyPrefix + number.ToString(CultureInfo.InvariantCulture);

    private static double ReadLoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg")
                ? double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], CultureInfo.InvariantCulture)
                : 0;
        }
        catch (Exception ex) when (ex is IOException or FormatException)
        {
            return 0;
        }
    }
}
