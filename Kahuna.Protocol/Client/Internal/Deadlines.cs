using System.Diagnostics;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// A call's deadline as a <see cref="Stopwatch"/> timestamp, <see cref="None"/> for a call without one. Timestamps are
/// compared without a clock object or timer, which is what lets a call that gets its answer at once cost no timer.
/// </summary>
internal static class Deadlines
{
    /// <summary>No deadline: waits only for the answer, a failure or cancellation.</summary>
    public const long None = long.MaxValue;

    // The longest wait a timer or SemaphoreSlim takes; anything longer is as good as no deadline.
    private static readonly TimeSpan LongestWait = TimeSpan.FromMilliseconds(int.MaxValue - 1);

    /// <summary>The timestamp <paramref name="timeout"/> from now; <see cref="None"/> when that is beyond any wait.</summary>
    public static long After(TimeSpan timeout)
    {
        if (timeout >= LongestWait)
            return None;
        return Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
    }

    /// <summary>The time left until <paramref name="deadline"/>: zero once passed, infinite for <see cref="None"/>.</summary>
    public static TimeSpan Remaining(long deadline)
    {
        if (deadline == None)
            return Timeout.InfiniteTimeSpan;
        long left = deadline - Stopwatch.GetTimestamp();
        return left <= 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(0, left);
    }
}
