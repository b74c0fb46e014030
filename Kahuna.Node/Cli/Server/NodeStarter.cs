using Kahuna.Node.Hosting;

namespace Kahuna.Node.Cli.Server;

/// <summary>Why a node could not start, and the exit code that says so.</summary>
internal sealed record StartFailure(string Message, int ExitCode);

/// <summary>The started node, or why it did not start.</summary>
internal sealed record StartAttempt(IRunningNode? Node, StartFailure? Failure)
{
    public static StartAttempt Failed(string message, int exitCode) => new(null, new StartFailure(message, exitCode));
}

/// <summary>Prepares the data directory and starts one node, turning every failure into a clear message.</summary>
internal static class NodeStarter
{
    public static async Task<StartAttempt> StartAsync(NodeOptions options, CliContext context, CancellationToken cancellationToken)
    {
        try
        {
            Directory.CreateDirectory(options.DataDirectory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return StartAttempt.Failed($"node {options.NodeId}: cannot use data directory {options.DataDirectory}: {ex.Message}", ExitCodes.Error);
        }
        try
        {
            return new StartAttempt(await context.NodeLauncher.StartAsync(options, cancellationToken), null);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return StartAttempt.Failed($"node {options.NodeId}: interrupted before it was ready", ExitCodes.Error);
        }
        catch (ArgumentException ex)
        {
            return StartAttempt.Failed($"node {options.NodeId}: {ex.Message}", ExitCodes.UsageError);
        }
        catch (Exception ex)
        {
            return StartAttempt.Failed($"node {options.NodeId} failed to start: {ex.GetBaseException().Message}", ExitCodes.Error);
        }
    }
}
