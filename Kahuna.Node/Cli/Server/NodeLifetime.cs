namespace Kahuna.Node.Cli.Server;

/// <summary>Waiting for running nodes to be told to stop (or to stop by themselves), and stopping them within a bound.</summary>
internal static class NodeLifetime
{
    /// <summary>
    /// Waits until <paramref name="stopRequested"/> fires (Ctrl+C, SIGTERM) or a node stops by itself.
    /// Returns the node that stopped by itself, or null when the stop was requested.
    /// </summary>
    public static async Task<IRunningNode?> WaitAsync(IReadOnlyList<IRunningNode> nodes, CancellationToken stopRequested)
    {
        var requested = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var registration = stopRequested.Register(() => requested.TrySetResult());
        var terminations = nodes.Select(node => node.WhenTerminated).ToList();
        var first = await Task.WhenAny([requested.Task, .. terminations]);
        return first == requested.Task ? null : nodes[terminations.IndexOf(first)];
    }

    /// <summary>Stops every node in parallel, each within <paramref name="bound"/>; returns what went wrong (empty when all stopped).</summary>
    public static async Task<IReadOnlyList<string>> StopAllAsync(IEnumerable<IRunningNode> nodes, TimeSpan bound)
    {
        var problems = await Task.WhenAll(nodes.Select(node => StopAsync(node, bound)));
        return problems.OfType<string>().ToList();
    }

    private static async Task<string?> StopAsync(IRunningNode node, TimeSpan bound)
    {
        string? problem = null;
        try
        {
            await node.StopAsync().WaitAsync(bound);
        }
        catch (TimeoutException)
        {
            problem = $"node {node.NodeId} did not stop within {bound.TotalSeconds:0.#} s";
        }
        catch (Exception ex)
        {
            problem = $"node {node.NodeId} failed to stop: {ex.Message}";
        }
        try
        {
            await node.DisposeAsync().AsTask().WaitAsync(bound);
        }
        catch (Exception ex) when (problem is null)
        {
            problem = $"node {node.NodeId} failed to release its resources: {ex.Message}";
        }
        catch (Exception)
        {
            // The stop already failed; that is the message worth showing.
        }
        return problem;
    }

    /// <summary>Why a node stopped by itself, for the error message.</summary>
    public static string TerminationReason(IRunningNode node) =>
        node.WhenTerminated.Exception?.GetBaseException().Message is { } reason
            ? $"node {node.NodeId} stopped unexpectedly: {reason}"
            : $"node {node.NodeId} stopped unexpectedly";
}
