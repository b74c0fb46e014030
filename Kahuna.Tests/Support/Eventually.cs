namespace Kahuna.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static async Task True(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        var delay = 10;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"timed out after {within.TotalSeconds:F0}s waiting for: {what}");
            await Task.Delay(delay);
            delay = Math.Min(delay * 2, 200);
        }
    }

    public static async Task<T> Value<T>(Func<Task<T?>> probe, TimeSpan within, string what) where T : class
    {
        var deadline = DateTime.UtcNow + within;
        var delay = 10;
        while (true)
        {
            try
            {
                var v = await probe();
                if (v is not null) return v;
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
