using Kahuna.Node.Bench.Client;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>Every run is bounded: the watchdog cancels it at its limit and abandons work that ignores cancellation.</summary>
public sealed class RunWatchdogTests
{
    [Fact]
    public async Task WorkThatFinishes_IsReportedWithItsExitCode()
    {
        var run = await RunWatchdog.RunAsync(_ => Task.FromResult(7), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(new WatchedRun(RunEnding.Completed, 7), run);
    }

    [Fact]
    public async Task AtTheLimit_WorkIsCancelled_AndReturnsWhatItHas()
    {
        var run = await RunWatchdog.RunAsync(async stop =>
        {
            try { await Task.Delay(Timeout.Infinite, stop); }
            catch (OperationCanceledException) { }
            return 5;
        }, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), CancellationToken.None);
        Assert.Equal(new WatchedRun(RunEnding.EndedByWatchdog, 5), run);
    }

    [Fact]
    public async Task WorkThatIgnoresCancellation_IsAbandonedAfterTheWindDown()
    {
        var never = new TaskCompletionSource<int>();
        var run = await RunWatchdog.RunAsync(_ => never.Task, TimeSpan.FromMilliseconds(50), TimeSpan.FromMilliseconds(100), CancellationToken.None);
        Assert.Equal(RunEnding.Abandoned, run.Ending);
        never.SetResult(0);
    }

    [Fact]
    public async Task CtrlC_CancelsTheWork_WithoutCountingAsTheWatchdog()
    {
        using var ctrlC = new CancellationTokenSource();
        var run = RunWatchdog.RunAsync(async stop =>
        {
            try { await Task.Delay(Timeout.Infinite, stop); }
            catch (OperationCanceledException) { }
            return 3;
        }, TimeSpan.FromMinutes(5), TimeSpan.FromSeconds(30), ctrlC.Token);
        await ctrlC.CancelAsync();
        Assert.Equal(new WatchedRun(RunEnding.Completed, 3), await run);
    }
}
