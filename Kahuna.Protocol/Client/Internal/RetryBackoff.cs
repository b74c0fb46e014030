namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// Exponential backoff with jitter for one call's retries. An Overloaded server gets a longer pause
/// (it asked to be left alone); the jitter keeps many clients from retrying in step.
/// </summary>
internal struct RetryBackoff(TimeSpan initial, TimeSpan maximum)
{
    private int _attempt;

    public TimeSpan Next(KahunaStatus reason)
    {
        double baseMs = initial.TotalMilliseconds * Math.Pow(2, Math.Min(_attempt, 16));
        if (reason == KahunaStatus.Overloaded)
            baseMs *= 4;
        _attempt++;
        double capped = Math.Min(baseMs, maximum.TotalMilliseconds);
        // "Equal jitter": half fixed, half random, so a retry never comes immediately but never in lockstep.
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }
}
