namespace Kahuna.Node.Bench.Client;

/// <summary>How a bounded run ended.</summary>
public enum RunEnding
{
    /// <summary>It returned on its own (possibly after Ctrl+C, which it handles itself).</summary>
    Completed,
    /// <summary>The watchdog cancelled it and it returned within the wind-down time.</summary>
    EndedByWatchdog,
    /// <summary>It did not return within the wind-down time after being cancelled; it was left behind.</summary>
    Abandoned,
}

/// <summary>The outcome of <see cref="RunWatchdog.RunAsync"/>: how the run ended and, unless abandoned, its exit code.</summary>
public sealed record WatchedRun(RunEnding Ending, int ExitCode);

/// <summary>
/// Runs a piece of work with a hard time limit. At the limit (or on the caller's cancellation) the work's token
/// fires; work that honours it returns soon and is reported normally. Work stuck in something that ignores
/// cancellation is abandoned after <c>windDown</c>, so the caller always gets control back.
/// </summary>
public static class RunWatchdog
{
    public static async Task<WatchedRun> RunAsync(Func<CancellationToken, Task<int>> work, TimeSpan limit, TimeSpan windDown, CancellationToken stopRequested)
    {
        using var watchdog = new CancellationTokenSource(limit);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(stopRequested, watchdog.Token);
        var run = Task.Run(() => work(stop.Token), CancellationToken.None);
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using (stop.Token.Register(() => cancelled.TrySetResult()))
        {
            if (await Task.WhenAny(run, cancelled.Task).ConfigureAwait(false) != run
                && await Task.WhenAny(run, Task.Delay(windDown, CancellationToken.None)).ConfigureAwait(false) != run)
            {
                // Observe a late failure so it is not reported as unobserved.
                _ = run.ContinueWith(t => t.Exception, TaskScheduler.Default);
                return new WatchedRun(RunEnding.Abandoned, 0);
            }
        }
        int exitCode = await run.ConfigureAwait(false);
        return new WatchedRun(watchdog.IsCancellationRequested ? RunEnding.EndedByWatchdog : RunEnding.Completed, exitCode);
    }
}
