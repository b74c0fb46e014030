using Kahuna.Node.Bench.Client;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>
/// The runner against fake targets: phases, seeding, key choice, and how each kind of outcome is counted. Runs end
/// after a number of operations (the fake fires the stop token), never after a time the test hopes is enough, so a
/// slow or starved machine changes nothing but the duration.
/// </summary>
public sealed class ClientBenchRunnerTests
{
    private static ClientBenchOptions Options(BenchWorkload workload) => new()
    {
        Workload = workload,
        Endpoints = ["fake:1"],
        Concurrency = 4,
        Duration = TimeSpan.FromMinutes(5), // ended by the fake's stop token
        Warmup = TimeSpan.Zero,
        KeySpace = 50,
        ValueSize = 16,
        Timeout = TimeSpan.FromSeconds(30),
        RandomSeed = 42,
    };

    private static ClientBenchRunner Runner(ClientBenchOptions options, IBenchTarget target) =>
        new(options, target, new LiveProgress(null, false, options.MaxLatencyMicros));

    private static Task<BenchResult> RunAsync(ClientBenchOptions options, FakeBenchTarget target) =>
        Runner(options, target).RunAsync(target.Stop.Token);

    [Fact]
    public async Task Get_SeedsEveryKeyOnce_AndCountsAbsentKeysAsMisses()
    {
        var target = new FakeBenchTarget { Get = key => int.Parse(key["bench:".Length..]) % 2 == 0, CountSets = false, StopAfterCalls = 200 };
        var result = await RunAsync(Options(BenchWorkload.Get), target);

        Assert.Equal(50, target.Sets.Count);
        Assert.All(target.Sets.Values, n => Assert.Equal(1, n));
        Assert.Equal(new SeedSummary(50, 0, result.Seeding!.Seconds, false), result.Seeding);
        var get = Assert.Single(result.Rows);
        Assert.Equal("get", get.Op);
        Assert.True(get.Count > 0, $"{get}");
        Assert.True(get.Misses > 0, $"{get}");
        Assert.Equal(0, get.Errors);
        Assert.Equal(0, get.Timeouts);
        Assert.True(get.Count + get.Misses >= 200 - 4, $"{get}"); // at most one call per worker was cut off
    }

    [Fact]
    public async Task Batch_SendsThatManyKeysPerOperation_AndAGetMissingAnyIsAMiss()
    {
        var target = new FakeBenchTarget { Get = key => key != "bench:7", StopAfterCalls = 300 };
        var result = await RunAsync(Options(BenchWorkload.Mixed) with { Batch = 5, SkipSeeding = true }, target);

        Assert.All(target.Batches, n => Assert.Equal(5, n));
        long gets = result.Row(BenchOp.Get)!.Count + result.Row(BenchOp.Get)!.Misses, sets = result.Row(BenchOp.Set)!.Count;
        Assert.Equal(gets + sets, target.Batches.Count);
        Assert.Equal(5 * sets, target.SetOrder.Count);
        Assert.True(result.Row(BenchOp.Get)!.Misses > 0, "a batch of 5 of 50 keys often holds the one missing key");
    }

    [Theory]
    [InlineData(BenchWorkload.Lock, 2, 16, "--batch: only for set, get and mixed")]
    [InlineData(BenchWorkload.Set, 1001, 16, "--batch: 1 to 1000")]
    [InlineData(BenchWorkload.Set, 10, 200_000, "--batch × --value-size")]
    public void Batch_OutOfItsRange_IsAUsageProblem(BenchWorkload workload, int batch, int valueSize, string problem) =>
        Assert.Contains(Options(workload).With(batch, valueSize).Validate(), p => p.StartsWith(problem));

    [Fact]
    public async Task Mixed_SplitsReadsAndWrites_ByReadPercent_WithATotal()
    {
        var target = new FakeBenchTarget { StopAfterCalls = 400 };
        var result = await RunAsync(Options(BenchWorkload.Mixed) with { ReadPercent = 80, SkipSeeding = true }, target);

        Assert.Null(result.Seeding);
        Assert.Equal(["get", "set", "total"], result.Rows.Select(r => r.Op));
        long gets = result.Row(BenchOp.Get)!.Count, sets = result.Row(BenchOp.Set)!.Count;
        Assert.Equal(gets + sets, result.Rows[^1].Count);
        Assert.Equal(sets, target.SetOrder.Count);
        Assert.True(gets > 2 * sets, $"{gets} reads vs {sets} writes at 80 % reads");
    }

    [Fact]
    public async Task Lock_TimesAcquireAndRelease_AndBusyIsAMiss()
    {
        var target = new FakeBenchTarget { TryLock = key => !key.EndsWith('7'), StopAfterCalls = 200 };
        var result = await RunAsync(Options(BenchWorkload.Lock), target);

        var row = Assert.Single(result.Rows);
        Assert.Equal("lock", row.Op);
        Assert.True(row.Misses > 0, $"{row}");
        Assert.Equal(0, row.Errors);
        Assert.Equal(row.Count, Interlocked.Read(ref target.Unlocks)); // every acquired lock was released, busy ones not
    }

    [Fact]
    public async Task Errors_AreCountedByCause_AndTimeoutsApart()
    {
        int calls = 0;
        var target = new FakeBenchTarget
        {
            StopAfterCalls = 200,
            Set = _ =>
            {
                switch (Interlocked.Increment(ref calls) % 4)
                {
                    case 0: throw new KahunaException(KahunaStatus.InternalError, "boom");
                    case 1: throw new KahunaException(KahunaStatus.Timeout, "slow");
                    case 2: throw new InvalidOperationException("bug");
                }
            },
        };
        var result = await RunAsync(Options(BenchWorkload.Set), target);

        var row = Assert.Single(result.Rows);
        Assert.True(row.Count > 0 && row.Errors > 0 && row.Timeouts > 0, $"{row}");
        Assert.Equal(row.Errors, result.Errors.Values.Sum());
        Assert.Equal(["InternalError", "InvalidOperationException"], result.Errors.Keys.Order());
        Assert.Equal(0, row.Misses);
        // Every call ended in exactly one class: the fake never observes cancellation, so none was cut off.
        Assert.Equal(target.SetOrder.Count, row.Count + row.Errors + row.Timeouts);
    }

    [Fact]
    public async Task AnOperationWithoutAnswer_IsATimeout_AfterThePerOperationLimit()
    {
        var options = Options(BenchWorkload.Get) with { SkipSeeding = true, Timeout = TimeSpan.FromMilliseconds(20) };
        var result = await RunAsync(options, new FakeBenchTarget { GetsHang = true, StopAfterCalls = 12 });

        var row = Assert.Single(result.Rows);
        Assert.Equal(0, row.Count);
        Assert.Equal(0, row.Errors);
        // 12 calls started by 4 workers: each worker's earlier calls ended (by timing out) before its next began.
        Assert.True(row.Timeouts >= 12 - options.Concurrency, $"{row}");
    }

    [Fact]
    public async Task Sequence_CountsEveryValueThatDidNotIncreaseForItsWorker()
    {
        int calls = 0;
        // Every 7th value goes back by 3: the worker that received it saw its sequence go backwards.
        var target = new FakeBenchTarget
        {
            NextSequence = previous => Interlocked.Increment(ref calls) % 7 == 0 ? previous - 3 : previous + 1,
            StopAfterCalls = 100,
        };
        var result = await RunAsync(Options(BenchWorkload.Sequence) with { Concurrency = 1 }, target);

        Assert.True(target.SequenceRegressions >= 14);
        Assert.Equal(target.SequenceRegressions, result.SequenceViolations);
        Assert.Equal("sequence", Assert.Single(result.Rows).Op);
    }

    [Fact]
    public async Task Sequence_FromAnIncreasingCounter_HasNoViolations()
    {
        var result = await RunAsync(Options(BenchWorkload.Sequence) with { Concurrency = 8 }, new FakeBenchTarget { StopAfterCalls = 200 });
        Assert.Equal(0, result.SequenceViolations);
        Assert.True(Assert.Single(result.Rows).Count > 0);
    }

    [Fact]
    public async Task SequentialKeys_WalkTheKeySpaceRoundRobin()
    {
        var target = new FakeBenchTarget { StopAfterCalls = 20 };
        await RunAsync(Options(BenchWorkload.Set) with { Concurrency = 1, KeySpace = 5, KeyDistribution = KeyDistribution.Sequential }, target);

        var numbers = target.SetOrder.Select(k => int.Parse(k["bench:".Length..])).ToList();
        Assert.True(numbers.Count >= 20);
        for (int i = 0; i < numbers.Count; i++)
            Assert.Equal((i + 1) % 5, numbers[i]);
    }

    [Fact]
    public async Task WarmupSamples_AreDiscarded()
    {
        int callsBeforeMeasuring = -1;
        int stopAt = int.MaxValue;
        FakeBenchTarget target = null!;
        target = new FakeBenchTarget
        {
            Set = _ =>
            {
                if (target.SetOrder.Count >= Volatile.Read(ref stopAt))
                    target.Stop.Cancel();
            },
        };
        var runner = new ClientBenchRunner(Options(BenchWorkload.Set) with { Warmup = TimeSpan.FromMilliseconds(200) }, target,
            new LiveProgress(null, false, 1_000_000))
        {
            PhaseStarted = phase =>
            {
                if (phase != "measure")
                    return;
                callsBeforeMeasuring = target.SetOrder.Count;
                Volatile.Write(ref stopAt, callsBeforeMeasuring + 100);
            },
        };
        var result = await runner.RunAsync(target.Stop.Token);

        var row = Assert.Single(result.Rows);
        Assert.True(callsBeforeMeasuring >= 0);
        // Warm-up workers finish their calls before the measurement starts, so the split is exact.
        Assert.Equal(target.SetOrder.Count - callsBeforeMeasuring, row.Count);
    }

    [Fact]
    public async Task APhase_EndsOnTime_WhenNothingStopsIt()
    {
        var options = Options(BenchWorkload.Set) with { Duration = TimeSpan.FromMilliseconds(200) };
        var result = await Runner(options, new FakeBenchTarget()).RunAsync(CancellationToken.None);
        Assert.False(result.Interrupted);
        Assert.True(result.ElapsedSeconds >= 0.19, $"{result.ElapsedSeconds}");
        Assert.NotNull(result.Load);
    }

    [Fact]
    public async Task StoppingDuringTheMeasurement_ReturnsWhatRan_MarkedInterrupted()
    {
        var target = new FakeBenchTarget { StopAfterCalls = 50 };
        var result = await RunAsync(Options(BenchWorkload.Set), target);

        Assert.True(result.Interrupted);
        Assert.True(result.ElapsedSeconds < 60);
        Assert.True(Assert.Single(result.Rows).Count >= 50 - 4);
    }

    [Fact]
    public async Task StoppingBeforeTheMeasurement_Throws()
    {
        var target = new FakeBenchTarget();
        await target.Stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RunAsync(Options(BenchWorkload.Get) with { Warmup = TimeSpan.FromMinutes(5) }, target));
    }
}

internal static class BatchOptions
{
    public static ClientBenchOptions With(this ClientBenchOptions options, int batch, int valueSize) =>
        options with { Batch = batch, ValueSize = valueSize };
}
