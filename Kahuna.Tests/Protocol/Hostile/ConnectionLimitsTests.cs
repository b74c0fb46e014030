using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.Hostile;

/// <summary>Connections that overstay, never read, or are one too many; and shutting the server down.</summary>
public class ConnectionLimitsTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task SlowClientThatNeverReads_StopsBeingRead_ThenIsClosed_WhileANeighbourKeepsWorking()
    {
        var settings = KahunaServerSettings.Default with { MaxInFlightPerConnection = 16, WriteTimeout = TimeSpan.FromMilliseconds(500) };
        await using var server = TestServer.Start(settings);
        var bigValue = new byte[256 * 1024];
        server.Handler.Intercept = (request, _) => ValueTask.FromResult<KahunaResponse?>(
            request is GetRequest { Key: "big" } ? new GetResponse { Status = KahunaStatus.Ok, Value = bigValue, Revision = 1 } : null);
        await using var healthy = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await healthy.PingAsync();

        await using var slow = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint, receiveBufferBytes: 4096);
        const int sent = 400; // 100 MiB of answers: far more than any socket buffer holds
        for (ulong id = 2; id < 2 + sent; id++)
            await slow.SendRequestAsync(id, new GetRequest { Key = "big", Durability = Durability.Persistent });

        for (int i = 0; i < 20; i++)
            await healthy.PingAsync(); // the neighbour is served throughout
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 1, Wait, "the slow connection is closed");
        await healthy.PingAsync();

        int handled = server.Handler.Received.Count(r => r is GetRequest);
        Assert.True(handled < sent / 2, $"the server kept reading a client that does not read ({handled} of {sent} requests handled)");
    }

    [Fact]
    public async Task ConnectionOverTheLimit_IsAnsweredOverloadedAndClosed()
    {
        await using var server = TestServer.Start(KahunaServerSettings.Default with { MaxConnections = 2 });
        await using var healthy = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await healthy.PingAsync();
        await using var second = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);

        await using var third = await RawConnection.ConnectAsync(server.BoundEndPoint);
        var (id, response) = await third.ReadResponseAsync(Wait);

        Assert.Equal(0UL, id);
        Assert.Equal(KahunaStatus.Overloaded, response.Status);
        Assert.True(await third.IsClosedByServerAsync(Wait));
        Assert.Equal(1, server.Server.RejectedConnections);
        await healthy.PingAsync();
    }

    [Fact]
    public async Task ClientOverTheLimit_RetriesUntilAConnectionIsFree()
    {
        await using var server = TestServer.Start(KahunaServerSettings.Default with { MaxConnections = 1 });
        var occupant = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });

        var pinging = client.PingAsync();
        await Eventually.TrueAsync(() => server.Server.RejectedConnections >= 1, Wait, "the client was turned away");
        await occupant.DisposeAsync();

        await pinging.WaitAsync(Wait);
    }

    [Fact]
    public async Task ResetByTheClient_EndsTheSessionAtOnce_AndCancelsItsHandlers()
    {
        await using var server = TestServer.Start();
        var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handler.Intercept = async (_, ct) =>
        {
            await using var onCancel = ct.Register(() => cancelled.TrySetResult());
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(2, new GetRequest { Key = "k", Durability = Durability.Persistent });
        await Eventually.TrueAsync(() => server.Handler.Received.Count == 1, Wait, "the request is in the handler");

        raw.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0); // close with a reset
        await raw.DisposeAsync();

        await cancelled.Task.WaitAsync(Wait);
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 0, Wait, "the reset session ended");
    }

    [Fact]
    public async Task IdleConnection_IsClosed()
    {
        await using var server = TestServer.Start(KahunaServerSettings.Default with { IdleTimeout = TimeSpan.FromMilliseconds(500) });
        await using var idle = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);

        Assert.True(await idle.IsClosedByServerAsync(Wait));
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 0, Wait, "the idle session ended");
    }

    [Fact]
    public async Task ConnectionWithoutHandshake_IsClosedAfterTheHandshakeTimeout()
    {
        await using var server = TestServer.Start(KahunaServerSettings.Default with { HandshakeTimeout = TimeSpan.FromMilliseconds(200) });
        await using var silent = await RawConnection.ConnectAsync(server.BoundEndPoint);

        Assert.True(await silent.IsClosedByServerAsync(Wait));
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 0, Wait, "the silent session ended");
    }

    [Fact]
    public async Task StopAsync_ClosesEverySessionWithinTheBound_EvenWithHungHandlers()
    {
        var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(300) });
        server.Handler.Intercept = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        var connections = new List<RawConnection>();
        for (int i = 0; i < 3; i++)
        {
            var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
            await raw.SendRequestAsync(2, new GetRequest { Key = "k", Durability = Durability.Persistent });
            connections.Add(raw);
        }
        await Eventually.TrueAsync(() => server.Handler.Received.Count == 3, Wait, "every request is in a handler");

        var stopping = server.Server.StopAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, server.Server.ConnectionCount);
        foreach (var raw in connections)
        {
            Assert.True(await raw.IsClosedByServerAsync(Wait));
            await raw.DisposeAsync();
        }
        await server.DisposeAsync();
    }

    [Fact]
    public async Task StopAsync_LetsInFlightRequestsFinish()
    {
        var server = TestServer.Start();
        var release = new TaskCompletionSource();
        server.Handler.Intercept = async (_, _) =>
        {
            await release.Task;
            return null;
        };
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(2, new GetRequest { Key = "k", Durability = Durability.Persistent });
        await Eventually.TrueAsync(() => server.Handler.Received.Count == 1, Wait, "the request is in the handler");

        var stopping = server.Server.StopAsync();
        release.SetResult();
        await stopping.WaitAsync(Wait);

        var (id, response) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(2UL, id);
        Assert.Equal(KahunaStatus.NotFound, response.Status);
        Assert.True(await raw.IsClosedByServerAsync(Wait));
        await server.DisposeAsync();
    }
}
