using Kahuna.Node.Bench.Client;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>The runner against fake targets: phases, seeding, key choice, and how each kind of outcome is counted.</summary>
public sealed class ClientBenchRunnerTests
{
    private static ClientBenchOptions Options(BenchWorkload workload) => new()
    {
        Workload = workload,
        Endpoints = ["fake:1"],
        Concurrency = 4,
        Duration = TimeSpan.FromMilliseconds(300),
        Warmup = TimeSpan.Zero,
        KeySpace = 50,
        ValueSize = 16,
        Timeout = TimeSpan.FromSeconds(5),
        RandomSeed = 42,
    };

    private static Task<BenchResult> RunAsync(ClientBenchOptions options, IBenchTarget target, CancellationToken stop = default) =>
        new ClientBenchRunner(options, target, new LiveProgress(null, false, options.MaxLatencyMicros)).RunAsync(stop);

    [Fact]
    public async Task Get_SeedsEveryKeyOnce_AndCountsAbsentKeysAsMisses()
    {
        var target = new FakeBenchTarget { Get = key => int.Parse(key["bench:".Length..]) % 2 == 0 };
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
        Assert.False(result.Interrupted);
    }

    [Fact]
    public async Task Mixed_SplitsReadsAndWrites_ByReadPercent_WithATotal()
    {
        var target = new FakeBenchTarget();
        var result = await RunAsync(Options(BenchWorkload.Mixed) with { ReadPercent = 80, SkipSeeding = true }, target);

        Assert.Null(result.Seeding);
        Assert.Equal(["get", "set", "total"], result.Rows.Select(r => r.Op));
        long gets = result.Row(BenchOp.Get)!.Count, sets = result.Row(BenchOp.Set)!.Count;
        Assert.Equal(gets + sets, result.Rows[^1].Count);
        Assert.True(gets > sets, $"{gets} reads vs {sets} writes at 80 % reads");
    }

    [Fact]
    public async Task Lock_TimesAcquireAndRelease_AndBusyIsAMiss()
    {
        var target = new FakeBenchTarget { TryLock = key => !key.EndsWith('7') };
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
        // Every call ended in exactly one class (none was in flight when the phase ended: the fake never blocks).
        Assert.Equal(target.SetOrder.Count, row.Count + row.Errors + row.Timeouts);
    }

    [Fact]
    public async Task AnOperationWithoutAnswer_IsATimeout_AfterThePerOperationLimit()
    {
        var options = Options(BenchWorkload.Get) with { SkipSeeding = true, Timeout = TimeSpan.FromMilliseconds(50), Duration = TimeSpan.FromMilliseconds(400) };
        var result = await RunAsync(options, new FakeBenchTarget { GetsHang = true });

        var row = Assert.Single(result.Rows);
        Assert.Equal(0, row.Count);
        Assert.Equal(0, row.Errors);
        Assert.True(row.Timeouts >= options.Concurrency, $"{row}");
    }

    [Fact]
    public async Task Sequence_CountsEveryValueThatDidNotIncreaseForItsWorker()
    {
        int calls = 0;
        // Every 7th value goes back by 3: a worker that received it saw its sequence go backwards.
        var target = new FakeBenchTarget { NextSequence = previous => Interlocked.Increment(ref calls) % 7 == 0 ? previous - 3 : previous + 1 };
        var result = await RunAsync(Options(BenchWorkload.Sequence) with { Concurrency = 1 }, target);

        Assert.True(target.SequenceRegressions > 0);
        Assert.Equal(target.SequenceRegressions, result.SequenceViolations);
        Assert.Equal("sequence", Assert.Single(result.Rows).Op);
    }

    [Fact]
    public async Task Sequence_FromAnIncreasingCounter_HasNoViolations()
    {
        var result = await RunAsync(Options(BenchWorkload.Sequence) with { Concurrency = 8 }, new FakeBenchTarget());
        Assert.Equal(0, result.SequenceViolations);
        Assert.True(Assert.Single(result.Rows).Count > 0);
    }

    [Fact]
    public async Task SequentialKeys_WalkTheKeySpaceRoundRobin()
    {
        var target = new FakeBenchTarget();
        await RunAsync(Options(BenchWorkload.Set) with { Concurrency = 1, KeySpace = 5, KeyDistribution = KeyDistribution.Sequential }, target);

        var numbers = target.SetOrder.Select(k => int.Parse(k["bench:".Length..])).ToList();
        Assert.True(numbers.Count > 10);
        for (int i = 0; i < numbers.Count; i++)
            Assert.Equal((i + 1) % 5, numbers[i]);
    }

    [Fact]
    public async Task WarmupSamples_AreDiscarded()
    {
        var target = new FakeBenchTarget();
        var result = await RunAsync(Options(BenchWorkload.Set) with { Warmup = TimeSpan.FromMilliseconds(300) }, target);
        var row = Assert.Single(result.Rows);
        Assert.True(row.Count > 0);
        Assert.True(target.SetOrder.Count > row.Count, "the warm-up's writes are not in the result");
    }

    [Fact]
    public async Task StoppingDuringTheMeasurement_ReturnsWhatRan_MarkedInterrupted()
    {
        using var stop = new CancellationTokenSource();
        int armed = 0;
        var target = new FakeBenchTarget { Set = _ => { if (Interlocked.Exchange(ref armed, 1) == 0) stop.CancelAfter(100); } };
        var result = await RunAsync(Options(BenchWorkload.Set) with { Duration = TimeSpan.FromMinutes(5) }, target, stop.Token);

        Assert.True(result.Interrupted);
        Assert.True(result.ElapsedSeconds < 60);
        Assert.True(Assert.Single(result.Rows).Count > 0);
    }

    [Fact]
    public async Task StoppingBeforeTheMeasurement_Throws()
    {
        using var stop = new CancellationTokenSource();
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            RunAsync(Options(BenchWorkload.Get) with { Warmup = TimeSpan.FromMinutes(5) }, new FakeBenchTarget(), stop.Token));
    }
}
