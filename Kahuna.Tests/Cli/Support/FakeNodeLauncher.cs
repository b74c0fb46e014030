using System.Collections.Concurrent;
using System.Net;
using Kahuna.Node.Cli.Server;
using Kahuna.Node.Hosting;

namespace Kahuna.Tests.Cli.Support;

/// <summary>A node launcher that starts nothing: it records the options and hands back nodes the test controls.</summary>
internal sealed class FakeNodeLauncher : INodeLauncher
{
    private readonly int _expectedNodes;
    private int _started;

    public FakeNodeLauncher(int expectedNodes = 1) => _expectedNodes = expectedNodes;

    public ConcurrentQueue<NodeOptions> Options { get; } = new();

    public ConcurrentDictionary<string, FakeNode> Nodes { get; } = new();

    /// <summary>Completes once the expected number of nodes started.</summary>
    public TaskCompletionSource AllStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Node ids whose start throws this exception.</summary>
    public Dictionary<string, Exception> Failures { get; } = new();

    /// <summary>When set, nodes never finish stopping (to test the stop bound).</summary>
    public bool NodesHangOnStop { get; init; }

    public Task<IRunningNode> StartAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        Options.Enqueue(options);
        if (Failures.TryGetValue(options.NodeId, out var failure))
            return Task.FromException<IRunningNode>(failure);
        var node = new FakeNode(options, NodesHangOnStop);
        Nodes[options.NodeId] = node;
        if (Interlocked.Increment(ref _started) == _expectedNodes)
            AllStarted.TrySetResult();
        return Task.FromResult<IRunningNode>(node);
    }
}

internal sealed class FakeNode(NodeOptions options, bool hangOnStop) : IRunningNode
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public NodeOptions Options { get; } = options;

    public string NodeId => Options.NodeId;

    public IPEndPoint ClientEndPoint => new(IPAddress.Parse(Options.Host), Options.ClientPort);

    public Task WhenTerminated => _terminated.Task;

    public bool StopCalled { get; private set; }

    public bool Disposed { get; private set; }

    public Task StopAsync()
    {
        StopCalled = true;
        if (hangOnStop)
            return new TaskCompletionSource().Task;
        _terminated.TrySetResult();
        return Task.CompletedTask;
    }

    /// <summary>The node dies on its own (a crash, a fatal cluster event).</summary>
    public void Crash(Exception reason) => _terminated.TrySetException(reason);

    public ValueTask DisposeAsync()
    {
        Disposed = true;
        return ValueTask.CompletedTask;
    }
}
