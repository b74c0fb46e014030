// TEMPORARY: replaced by the real host
using System.Net;

namespace Kahuna.Node.Hosting;

/// <summary>Placeholder with the agreed surface of the node host so the CLI compiles before the real host lands.</summary>
public sealed class KahunaNode : IAsyncDisposable
{
    private KahunaNode()
    {
    }

    public string NodeId => throw new NotImplementedException();

    public IPEndPoint ClientEndPoint => throw new NotImplementedException();

    public Task WhenTerminated => throw new NotImplementedException();

    public static Task<KahunaNode> StartAsync(NodeOptions options, CancellationToken ct) =>
        throw new NotImplementedException("the node host is not in this branch yet");

    public Task StopAsync() => throw new NotImplementedException();

    public ValueTask DisposeAsync() => throw new NotImplementedException();
}
