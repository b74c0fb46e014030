using System.Net;
using Kahuna.Node.Hosting;

namespace Kahuna.Node.Cli.Server;

/// <summary>Starts a node; the seam that lets the server commands be tested without a real cluster.</summary>
public interface INodeLauncher
{
    /// <summary>Starts a node; returns once it serves clients. Throws ArgumentException for invalid options.</summary>
    Task<IRunningNode> StartAsync(NodeOptions options, CancellationToken cancellationToken);
}

/// <summary>A started node as the CLI sees it.</summary>
public interface IRunningNode : IAsyncDisposable
{
    string NodeId { get; }

    /// <summary>Where clients connect (the real port when 0 was asked for).</summary>
    IPEndPoint ClientEndPoint { get; }

    /// <summary>Completes when the node stops for any reason.</summary>
    Task WhenTerminated { get; }

    /// <summary>Stops the node gracefully.</summary>
    Task StopAsync();
}

/// <summary>The launcher of real nodes: <see cref="KahunaNode.StartAsync"/>.</summary>
public sealed class KahunaNodeLauncher : INodeLauncher
{
    public static readonly KahunaNodeLauncher Instance = new();

    private KahunaNodeLauncher()
    {
    }

    public async Task<IRunningNode> StartAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        var node = await KahunaNode.StartAsync(options, cancellationToken);
        IdleMemoryTrimmer.ConfigureNativeHeap(node.Settings.Memory);
        // The kahuna executable owns its process, so it may collect when idle; a node embedded in an application
        // (KahunaNode.StartAsync directly, the in-process tests) leaves the host's GC alone.
        IdleMemoryTrimmer.EnsureStarted(node.Settings.Memory);
        return new RunningKahunaNode(node);
    }

    private sealed class RunningKahunaNode(KahunaNode node) : IRunningNode
    {
        public string NodeId => node.NodeId;

        public IPEndPoint ClientEndPoint => node.ClientEndPoint;

        public Task WhenTerminated => node.WhenTerminated;

        public Task StopAsync() => node.StopAsync();

        public ValueTask DisposeAsync() => node.DisposeAsync();
    }
}
