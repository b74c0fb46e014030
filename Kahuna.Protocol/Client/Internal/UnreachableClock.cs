using System.Diagnostics;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// How long one call has gone without any endpoint accepting a connection, against
/// <see cref="KahunaClientOptions.UnreachableTimeout"/>. The clock starts when the first attempt in a row that reached no
/// node failed, and stops as soon as one is reached, so a call that rides out a restart of one node is never cut short.
/// Starting at the failure, not at the attempt, matters for a node that accepts TCP but answers the handshake late: one
/// such attempt (up to the connect timeout) does not by itself use up the bound; refusals come at once either way.
/// </summary>
internal struct UnreachableClock(TimeSpan limit)
{
    private long _since;

    /// <summary>A node took a connection: the clock stops.</summary>
    public void Reached() => _since = 0;

    /// <summary>
    /// An attempt that failed at <paramref name="failedAt"/> (a <see cref="Stopwatch"/> timestamp) reached no
    /// endpoint: starts the clock there unless it runs already, and says true once it has run <c>limit</c> or more.
    /// </summary>
    public bool Failed(long failedAt)
    {
        if (_since == 0) _since = failedAt;
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
