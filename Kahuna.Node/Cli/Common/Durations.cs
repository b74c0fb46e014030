using System.Globalization;

namespace Kahuna.Node.Cli.Common;

/// <summary>
/// Durations on the command line: a number followed by <c>ms</c>, <c>s</c>, <c>m</c> or <c>h</c>
/// (<c>500ms</c>, <c>10s</c>, <c>1.5m</c>, <c>1h</c>), or a plain number of milliseconds.
/// </summary>
public static class Durations
{
    private static readonly (string Suffix, double Milliseconds)[] Units =
    [
        ("ms", 1),
        ("s", 1_000),
        ("m", 60_000),
        ("h", 3_600_000),
    ];

    /// <summary>The accepted forms, for help texts and error messages.</summary>
    public const string Forms = "500ms, 10s, 5m, 1h or plain milliseconds";

    /// <summary>Parses a duration; false for anything else (negative, empty, unknown unit, too large).</summary>
    public static bool TryParse(string? text, out TimeSpan duration)
    {
        duration = default;
        if (string.IsNullOrWhiteSpace(text))
            return false;
        var span = text.Trim().ToLowerInvariant();
        double unit = 1;
        // "ms" must be tried before "m" and "s": the longest suffix that matches wins.
        foreach (var (suffix, milliseconds) in Units.OrderByDescending(u => u.Suffix.Length))
        {
            if (span.EndsWith(suffix, StringComparison.Ordinal))
            {
                span = span[..^suffix.Length];
                unit = milliseconds;
                break;
            }
        }
        if (!double.TryParse(span, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
            return false;
        var total = amount * unit;
        if (double.IsNaN(total) || double.IsInfinity(total) || total < 0 || total > TimeSpan.MaxValue.TotalMilliseconds / 2)
            return false;
        duration = TimeSpan.FromMilliseconds(total);
        return true;
    }

    /// <summary>Parses a duration or throws <see cref="CliUsageException"/> naming where the text came from.</summary>
    public static TimeSpan Parse(string text, string source) =>
        TryParse(text, out var duration) ? duration : throw new CliUsageException($"{source}: '{text}' is not a duration ({Forms})");
}
