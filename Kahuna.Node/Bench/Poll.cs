namespace Kahuna.Node.Bench;

/// <summary>Waits for a condition with a deadline (exponential back-off up to 200 ms), never a fixed sleep.</summary>
public static class Poll
{
    public static async Task UntilAsync(Func<bool> condition, TimeSpan within, string what) =>
        await ValueAsync(() => Task.FromResult<object?>(condition() ? true : null), within, what);

    /// <summary>Probes until it returns non-null (exceptions count as "not yet" until the deadline).</summary>
    public static async Task<T> ValueAsync<T>(Func<Task<T?>> probe, TimeSpan within, string what) where T : class
    {
        var deadline = DateTime.UtcNow + within;
        var delay = 10;
        while (true)
        {
            try
            {
                if (await probe() is { } value) return value;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // not yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {within.TotalSeconds:F0}s waiting for: {what}");
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 200);
        }
    }
}
