using System.CommandLine;
using Kahuna.Node.Hosting;

namespace Kahuna.Node.Cli.Server;

/// <summary><c>kahuna start</c>: run one node until Ctrl+C or SIGTERM.</summary>
internal static class StartCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("start", "Run a node until Ctrl+C or SIGTERM; each setting: flag, else KAHUNA_* variable, else default");
        var binder = new NodeOptionsBinder();
        foreach (var option in binder.All)
            command.Add(option);
        command.SetAction((parseResult, cancellationToken) => RunAsync(binder, parseResult, context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(NodeOptionsBinder binder, ParseResult parseResult, CliContext context, CancellationToken stopRequested)
    {
        NodeOptions options;
        try
        {
            options = binder.Bind(parseResult, context);
            options.Validate();
        }
        catch (Exception ex) when (ex is CliUsageException or ArgumentException)
        {
            context.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.UsageError;
        }
        var attempt = await NodeStarter.StartAsync(options, context, stopRequested);
        if (attempt.Node is not { } node)
        {
            context.Error.WriteLine($"error: {attempt.Failure!.Message}");
            return attempt.Failure.ExitCode;
        }
        context.Out.WriteLine($"node {node.NodeId} ready: client={node.ClientEndPoint} cluster={options.Host}:{options.ClusterPort} data={options.DataDirectory}");
        context.Error.WriteLine("press Ctrl+C to stop");
        var stoppedByItself = await NodeLifetime.WaitAsync([node], stopRequested);
        if (stoppedByItself is null)
            context.Error.WriteLine($"stopping node {node.NodeId}...");
        var problems = await NodeLifetime.StopAllAsync([node], context.NodeStopTimeout);
        foreach (var problem in problems)
            context.Error.WriteLine($"error: {problem}");
        if (stoppedByItself is not null)
        {
            context.Error.WriteLine($"error: {NodeLifetime.TerminationReason(stoppedByItself)}");
            return ExitCodes.Error;
        }
        if (problems.Count > 0)
            return ExitCodes.Error;
        context.Out.WriteLine($"node {node.NodeId} stopped");
        return ExitCodes.Success;
    }
}
