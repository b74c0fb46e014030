using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Server;
using Xunit;

namespace Kahuna.Tests.Cli.Support;

/// <summary>What one in-process run of the CLI printed and returned.</summary>
internal sealed record CliRun(int ExitCode, string Out, string Error)
{
    /// <summary>The single JSON object printed on stdout (fails the test when there is not exactly one line).</summary>
    public JsonElement Json()
    {
        var text = Out.Trim();
        Assert.False(string.IsNullOrEmpty(text), $"no JSON on stdout; stderr: {Error}");
        Assert.DoesNotContain('\n', text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public string Status => Json().GetProperty("status").GetString()!;

    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";
}

/// <summary>
/// Runs <c>kahuna</c> commands in this process with captured output, a private environment (nothing leaks in
/// from the real one) and an optional fake node launcher.
/// </summary>
internal sealed class CliRunner
{
    public Dictionary<string, string> Environment { get; } = new();

    public INodeLauncher? Launcher { get; init; }

    public byte[] StandardInput { get; set; } = [];

    public TimeSpan NodeStopTimeout { get; init; } = TimeSpan.FromSeconds(10);

    public CliContext Context(StringWriter output, StringWriter error) => new()
    {
        Out = output,
        Error = error,
        GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
        OpenStandardInput = () => new MemoryStream(StandardInput, writable: false),
        NodeLauncher = Launcher ?? new FakeNodeLauncher(),
        NodeStopTimeout = NodeStopTimeout,
    };

    public Task<CliRun> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    public async Task<CliRun> RunAsync(CancellationToken stopRequested, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int exitCode = await KahunaCli.RunAsync(args, Context(output, error), stopRequested, Array.Empty<Command>());
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>A runner whose client commands go to <paramref name="endpoint"/> unless a test says otherwise.</summary>
    public static CliRunner For(string endpoint)
    {
        var runner = new CliRunner();
        runner.Environment["KAHUNA_ENDPOINTS"] = endpoint;
        return runner;
    }
}
