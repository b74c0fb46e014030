using Kahuna.Node.Cli.Server;

namespace Kahuna.Node.Cli;

/// <summary>
/// What the commands talk to instead of the process globals: output writers, environment variables,
/// standard input and the node launcher. The real process uses <see cref="FromProcess"/>; tests inject
/// their own writers, variables and a fake launcher so that commands run in-process and in parallel.
/// </summary>
public sealed record CliContext
{
    /// <summary>Results (one line, or one JSON object with <c>--json</c>).</summary>
    public required TextWriter Out { get; init; }

    /// <summary>Errors, negative outcomes in human mode, and notes.</summary>
    public required TextWriter Error { get; init; }

    /// <summary>Looks up an environment variable (KAHUNA_*); null when unset.</summary>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>Opens standard input (for <c>--value-file -</c>).</summary>
    public Func<Stream> OpenStandardInput { get; init; } = Console.OpenStandardInput;

    /// <summary>Starts nodes for <c>kahuna start</c> and <c>kahuna dev</c>.</summary>
    public INodeLauncher NodeLauncher { get; init; } = KahunaNodeLauncher.Instance;

    /// <summary>How long a node may take to stop after Ctrl+C or SIGTERM before the command gives up on it.</summary>
    public TimeSpan NodeStopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The context of the running process: the console and its environment.</summary>
    public static CliContext FromProcess() => new() { Out = Console.Out, Error = Console.Error };

    /// <summary>An environment variable with surrounding blanks removed; null when unset or blank.</summary>
    internal string? Variable(string name) => GetEnvironmentVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
