using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Bench;
using Kahuna.Node.Bench.Client;
using Kahuna.Node.Cli;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>What one in-process run of <c>kahuna bench …</c> printed and returned.</summary>
internal sealed record BenchRun(int ExitCode, string Out, string Error)
{
    public JsonElement Json()
    {
        var text = Out.Trim();
        Assert.False(string.IsNullOrEmpty(text), $"no JSON on stdout; stderr: {Error}");
        Assert.DoesNotContain('\n', text);
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\nstdout: {Out}\nstderr: {Error}";
}

/// <summary>Runs and parses <c>kahuna bench</c> command lines in this process with captured output and a private environment.</summary>
internal sealed class BenchCli
{
    public Dictionary<string, string> Environment { get; } = new();

    private CliContext Context(TextWriter output, TextWriter error) => new()
    {
        Out = output,
        Error = error,
        GetEnvironmentVariable = name => Environment.GetValueOrDefault(name),
    };

    public async Task<BenchRun> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = Context(output, error);
        int exitCode = await KahunaCli.RunAsync(args, context, CancellationToken.None, BenchCommand.Create(context));
        return new BenchRun(exitCode, output.ToString(), error.ToString());
    }

    /// <summary>Parses and binds a command line without running it: the options, or the problems found.</summary>
    public (ClientBenchOptions? Options, IReadOnlyList<string> Problems) Bind(params string[] args)
    {
        var context = Context(TextWriter.Null, TextWriter.Null);
        var root = KahunaCli.Build(context, BenchCommand.Create(context));
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
            return (null, parse.Errors.Select(e => e.Message).ToList());
        var command = Assert.IsType<ClientBenchWorkloadCommand>(parse.CommandResult.Command);
        return command.OptionSet.Bind(parse, context);
    }
}
