using Kahuna.Node.Bench;

namespace Kahuna.Tests.Support;

/// <summary>Waits for a condition with a deadline instead of sleeping a fixed time.</summary>
public static class Eventually
{
    public static Task True(Func<bool> condition, TimeSpan within, string what) => Poll.UntilAsync(condition, within, what);

    public static Task<T> Value<T>(Func<Task<T?>> probe, TimeSpan within, string what) where T : class => Poll.ValueAsync(probe, within, what);
}
