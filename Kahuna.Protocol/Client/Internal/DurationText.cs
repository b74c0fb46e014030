using System.Globalization;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>Durations in error messages as people write them ("10 s", "250 ms"), not as TimeSpan prints them ("00:00:10").</summary>
internal static class DurationText
{
    public static string Of(TimeSpan duration) => duration switch
    {
        { TotalMilliseconds: < 1000 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMilliseconds:0.###} ms"),
        { TotalSeconds: < 120 } => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0.###} s"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.##} min"),
    };
}
