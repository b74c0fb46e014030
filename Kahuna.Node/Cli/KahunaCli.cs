using System.CommandLine;
using System.CommandLine.Invocation;
using Kahuna.Node.Cli.Client;
using Kahuna.Node.Cli.Server;

namespace Kahuna.Node.Cli;

/// <summary>
/// The <c>kahuna</c> command tree and how it runs. Commands added later (bench, cluster, txn) come in through
/// <paramref name="extra"/> of <see cref="Build"/> / <see cref="RunAsync"/>; they should write to
/// <c>parseResult.InvocationConfiguration.Output</c>/<c>Error</c> (or a <see cref="CliContext"/> they are given)
/// and return the exit codes of <see cref="ExitCodes"/>.
/// </summary>
public static class KahunaCli
{
    public const string Description =
        "Kahuna: distributed locks with fencing tokens, a key/value store with revisions and compare-and-set, and sequences.\n" +
        "Server: 'kahuna start' runs a node; 'kahuna dev' runs a local 3-node cluster.\n" +
        "Client: 'kahuna kv', 'kahuna lock', 'kahuna seq', 'kahuna cluster status' talk to a cluster (--endpoints, or env KAHUNA_ENDPOINTS, default 127.0.0.1:7070).\n" +
        "Add --json to a client command for one JSON object on stdout; --help on any command for its flags.";

    /// <summary>The root command with every built-in command plus <paramref name="extra"/>.</summary>
    public static RootCommand Build(CliContext context, params Command[] extra)
    {
        var root = new RootCommand(Description);
        root.Add(StartCommand.Create(context));
        root.Add(DevCommand.Create(context));
        root.Add(KeyValueCommands.Create(context));
        root.Add(LockCommands.Create(context));
        root.Add(SequenceCommands.Create(context));
        root.Add(ClusterCommands.Create(context));
        foreach (var command in extra)
            root.Add(command);
        HelpFooter.Install(root);
        return root;
    }

    /// <summary>
    /// Parses and runs one command line; returns the exit code. <paramref name="stopRequested"/> is the
    /// process's Ctrl+C / SIGTERM (see <see cref="ProcessTermination"/>), or a test's token.
    /// </summary>
    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken stopRequested, params Command[] extra)
    {
        var root = Build(context, extra);
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0 && parseResult.Action is ParseErrorAction)
            return ReportUsageErrors(parseResult, context);
        var invocation = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            // Signals are handled by the caller (ProcessTermination): commands get the token and decide how
            // long a clean stop may take, instead of System.CommandLine's fixed two seconds.
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        try
        {
            return await parseResult.InvokeAsync(invocation, stopRequested);
        }
        catch (OperationCanceledException) when (stopRequested.IsCancellationRequested)
        {
            context.Error.WriteLine("error: interrupted");
            return ExitCodes.Error;
        }
        catch (Exception ex)
        {
            context.Error.WriteLine($"error: unexpected failure: {ex}");
            return ExitCodes.Error;
        }
    }

    private static int ReportUsageErrors(ParseResult parseResult, CliContext context)
    {
        foreach (var error in parseResult.Errors)
            context.Error.WriteLine($"error: {error.Message}");
        var path = CommandPath(parseResult.CommandResult.Command);
        context.Error.WriteLine($"see '{path} --help'");
        // A script that asked for JSON gets its one object even for a bad command line.
        if (parseResult.Tokens.Any(token => token.Value == "--json"))
        {
            var output = new Common.CommandOutput(context with { Error = TextWriter.Null }, json: true);
            output.Fault("UsageError", string.Join("; ", parseResult.Errors.Select(e => e.Message)), ExitCodes.UsageError);
        }
        return ExitCodes.UsageError;
    }

    private static string CommandPath(Command command)
    {
        var names = new List<string>();
        for (Symbol? symbol = command; symbol is Command current; symbol = current.Parents.FirstOrDefault())
            names.Add(current is RootCommand ? "kahuna" : current.Name);
        names.Reverse();
        return string.Join(" ", names);
    }
}
