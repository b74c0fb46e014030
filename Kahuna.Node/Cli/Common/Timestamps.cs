using System.Globalization;

namespace Kahuna.Node.Cli.Common;

/// <summary>One format for every time the CLI prints: ISO 8601 in UTC with milliseconds.</summary>
public static class Timestamps
{
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>" expires=…" for human output, or "" when there is no expiry.</summary>
    public static string ExpiresSuffix(DateTimeOffset? value) => value is { } at ? $" expires={Format(at)}" : "";
}
