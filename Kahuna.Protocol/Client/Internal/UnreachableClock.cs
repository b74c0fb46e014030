using System.Diagnostics;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// How long one call has gone without any endpoint accepting a connection, against
/// <see cref="KahunaClientOptions.UnreachableTimeout"/>. The clock starts when the first attempt in a row that reached no
/// node began, and stops as soon as one is reached, so a call that rides out a restart of one node is never cut short.
/// </summary>
internal struct UnreachableClock(TimeSpan limit)
{
    private long _since;

    /// <summary>A node took a connection: the clock stops. Always false (a reachable cluster is never "unreachable").</summary>
    public bool Reached()
    {
        _since = 0;
        return false;
    }

    /// <summary>
    /// The attempt that began at <paramref name="attemptStarted"/> (a <see cref="Stopwatch"/> timestamp) reached no
    /// endpoint: starts the clock there unless it runs already, and says true once it has run <c>limit</c> or more.
    /// </summary>
    public bool Failed(long attemptStarted)
    {
        if (_since == 0) _since = attemptStarted;
        return Stopwatch.GetElapsedTime(_since) >= limit;
    }

    /// <summary>A pause before the next attempt that ends no later than the clock runs out, so the verdict comes on time.</summary>
    public TimeSpan Cap(TimeSpan pause)
    {
        if (_since == 0) return pause;
        var left = limit - Stopwatch.GetElapsedTime(_since);
        return left <= TimeSpan.Zero ? TimeSpan.Zero : pause < left ? pause : left;
    }
}
