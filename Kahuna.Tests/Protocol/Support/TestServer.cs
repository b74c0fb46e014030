using System.Net;
using Kahuna.Node.Network;
using Kahuna.Protocol.Client;

namespace Kahuna.Tests.Protocol.Support;

/// <summary>A <see cref="KahunaTcpServer"/> on 127.0.0.1 with an OS-chosen port and the in-memory handler.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    private TestServer(KahunaTcpServer server, InMemoryKahunaHandler handler)
    {
        Server = server;
        Handler = handler;
    }

    public KahunaTcpServer Server { get; }

    public InMemoryKahunaHandler Handler { get; }

    public string Endpoint => $"127.0.0.1:{Server.Port}";

    public IPEndPoint BoundEndPoint => Server.BoundEndPoint!;

    public static TestServer Start(KahunaServerSettings? settings = null, IConnectionAuthenticator? authenticator = null, InMemoryKahunaHandler? handler = null)
    {
        handler ??= new InMemoryKahunaHandler();
        var server = new KahunaTcpServer(new IPEndPoint(IPAddress.Loopback, 0), handler, settings, authenticator);
        server.Start();
        return new TestServer(server, handler);
    }

    /// <summary>A client of this server with short timeouts suited to tests.</summary>
    public KahunaClient CreateClient(Func<KahunaClientOptions, KahunaClientOptions>? configure = null)
    {
        var options = new KahunaClientOptions
        {
            Endpoints = [Endpoint],
            RequestTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ClientName = "protocol-tests",
            // These tests count the requests a server receives; a fake server has no partitions to route by.
            RouteToLeaders = false,
        };
        return new KahunaClient(configure is null ? options : configure(options));
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}

/// <summary>Waiting for conditions instead of sleeping a fixed time.</summary>
internal static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan within, string what)
    {
        var deadline = DateTime.UtcNow + within;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
                throw new Xunit.Sdk.XunitException($"timed out after {within} waiting for: {what}");
            await Task.Delay(5);
        }
    }

    /// <summary>
    /// A call under a short request timeout, tried again while it times out: a loaded machine may miss a deadline of a
    /// few hundred milliseconds now and then, where a connection that no longer answers would miss every one.
    /// </summary>
    public static async Task<T> AnsweredAsync<T>(Func<Task<T>> call, TimeSpan within)
    {
        var until = DateTime.UtcNow + within;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (Kahuna.Protocol.Client.KahunaException ex) when (ex.Status == Kahuna.Protocol.KahunaStatus.Timeout && DateTime.UtcNow < until)
            {
            }
        }
    }
}
