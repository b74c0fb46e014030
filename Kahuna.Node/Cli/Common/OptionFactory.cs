using System.CommandLine;
using System.CommandLine.Parsing;

namespace Kahuna.Node.Cli.Common;

/// <summary>Builds options whose values need parsing beyond what System.CommandLine does by itself.</summary>
public static class OptionFactory
{
    /// <summary>A duration option (see <see cref="Durations"/>); a malformed value is a usage error.</summary>
    public static Option<TimeSpan?> Duration(string name, string description) => new(name)
    {
        Description = description,
        HelpName = "duration",
        CustomParser = result => ParseDuration(result, name),
    };

    /// <summary>An integer option that must be at least <paramref name="minimum"/>.</summary>
    public static Option<long?> AtLeast(string name, long minimum, string description, string helpName = "n") => new(name)
    {
        Description = description,
        HelpName = helpName,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            if (long.TryParse(text, out var value) && value >= minimum)
                return value;
            result.AddError($"{name}: '{text}' must be a whole number of at least {minimum}");
            return null;
        },
    };

    private static TimeSpan? ParseDuration(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (Durations.TryParse(text, out var duration))
            return duration;
        result.AddError($"{name}: '{text}' is not a duration ({Durations.Forms})");
        return null;
    }
}
