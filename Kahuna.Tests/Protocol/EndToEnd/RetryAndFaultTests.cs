using System.Net;
using System.Net.Sockets;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

public class RetryAndFaultTests
{
    [Theory]
    [InlineData(KahunaStatus.Retry)]
    [InlineData(KahunaStatus.Overloaded)]
    [InlineData(KahunaStatus.NotLeader)]
    [InlineData(KahunaStatus.Timeout)]
    public async Task RetryableStatus_IsRetriedWithTheSameOperationId_AndAppliedOnce(KahunaStatus status)
    {
        await using var server = TestServer.Start();
        int refusals = 0;
        server.Handler.Intercept = (request, _) =>
            ValueTask.FromResult<KahunaResponse?>(request is SetRequest && Interlocked.Increment(ref refusals) <= 2
                ? ErrorResponse.Create(status, "try again")
                : null);
        await using var client = server.CreateClient();

        var result = await client.SetAsync("k", "v");

        var attempts = server.Handler.Received.OfType<SetRequest>().ToArray();
        Assert.True(result.Succeeded);
        Assert.Equal(3, attempts.Length);
        Assert.Single(attempts.Select(a => a.OperationId).Distinct());
        Assert.Equal(1, server.Handler.AppliedWrites);
    }

    [Fact]
    public async Task LostAnswer_RetriedOnAnotherNode_WithTheSameOperationId_IsAppliedOnce()
    {
        // Two nodes share one handler (one "cluster"); the first applies the write, then its connection dies before answering.
        var handler = new InMemoryKahunaHandler();
        var quickStop = KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) };
        await using var first = TestServer.Start(quickStop, handler: handler);
        await using var second = TestServer.Start(handler: handler);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handler.AfterApply = async (request, ct) =>
        {
            if (request is SetRequest && applied.TrySetResult())
                await Task.Delay(Timeout.Infinite, ct); // never answer the first attempt
        };
        await using var client = new KahunaClient(new KahunaClientOptions { Endpoints = [first.Endpoint, second.Endpoint] });

        var setting = client.SetAsync("k", "v");
        await applied.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await first.Server.StopAsync();
        var result = await setting;

        var attempts = handler.Received.OfType<SetRequest>().ToArray();
        Assert.True(result.Succeeded);
        Assert.Equal(1, result.Revision);
        Assert.Equal(2, attempts.Length);
        Assert.Equal(attempts[0].OperationId, attempts[1].OperationId);
        Assert.Equal(1, handler.AppliedWrites);
        Assert.Equal(second.Endpoint, client.CurrentEndpoint);
    }

    [Fact]
    public async Task RetryForever_EndsInTimeoutException()
    {
        await using var server = TestServer.Start();
        server.Handler.Intercept = (_, _) => ValueTask.FromResult<KahunaResponse?>(ErrorResponse.Create(KahunaStatus.Retry, "no leader"));
        // Long enough that a second attempt (after a backoff of 5-10 ms) fits even when a loaded machine stalls the first.
        await using var client = server.CreateClient(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(1500), ConnectionsPerEndpoint = 1 });
        await client.PingAsync(); // connected before the clock of the call below starts

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("k"));

        Assert.Equal(KahunaStatus.Timeout, error.Status);
        Assert.Contains("no leader", error.Message);
        Assert.True(server.Handler.Received.Count >= 2);
    }

    [Fact]
    public async Task NoAnswer_EndsInTimeoutException_AndTheConnectionStaysUsable()
    {
        // The hung handler only ends when the server gives up on it at shutdown: keep that short.
        await using var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        server.Handler.Intercept = async (request, ct) =>
        {
            if (request is GetRequest { Key: "hang" })
                await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        await using var client = server.CreateClient(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(300), ConnectionsPerEndpoint = 1 });
        await client.PingAsync();

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("hang"));
        var after = await Eventually.AnsweredAsync(() => client.GetAsync("other"), TimeSpan.FromSeconds(20));

        Assert.Equal(KahunaStatus.Timeout, error.Status);
        Assert.False(after.Found);
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task Cancellation_ThrowsOperationCanceled_AndTheConnectionStaysUsable()
    {
        // The hung handler only ends when the server gives up on it at shutdown: keep that short.
        await using var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        server.Handler.Intercept = async (request, ct) =>
        {
            if (request is GetRequest { Key: "hang" })
                await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        using var cancel = new CancellationTokenSource();

        var getting = client.GetAsync("hang", cancellationToken: cancel.Token);
        await Eventually.TrueAsync(() => server.Handler.Received.Any(r => r is GetRequest { Key: "hang" }), TimeSpan.FromSeconds(5), "the request reached the server");
        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => getting);
        Assert.False((await client.GetAsync("other")).Found);
    }

    [Fact]
    public async Task AlreadyCancelledToken_ThrowsBeforeSending()
    {
        await using var server = TestServer.Start();
        await using var client = server.CreateClient();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.SetAsync("k", "v", cancellationToken: new CancellationToken(true)));
        Assert.Empty(server.Handler.Received);
    }

    [Theory]
    [InlineData(KahunaStatus.InternalError)]
    [InlineData(KahunaStatus.Unauthorized)]
    [InlineData(KahunaStatus.InvalidInput)]
    [InlineData(KahunaStatus.TooLarge)]
    [InlineData(KahunaStatus.Unsupported)]
    public async Task FaultStatus_ThrowsKahunaExceptionWithTheStatusAndMessage_WithoutRetry(KahunaStatus status)
    {
        await using var server = TestServer.Start();
        server.Handler.Intercept = (_, _) => ValueTask.FromResult<KahunaResponse?>(ErrorResponse.Create(status, "because"));
        await using var client = server.CreateClient();

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("k"));

        Assert.Equal(status, error.Status);
        Assert.Equal("because", error.Reason);
        Assert.Single(server.Handler.Received);
    }

    [Fact]
    public async Task HandlerException_IsInternalErrorForThatRequest_AndTheConnectionStays()
    {
        await using var server = TestServer.Start();
        server.Handler.Intercept = (request, _) =>
            request is GetRequest { Key: "boom" } ? throw new InvalidOperationException("kaput") : ValueTask.FromResult<KahunaResponse?>(null);
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("boom"));
        var after = await client.SetAsync("k", "v");

        Assert.Equal(KahunaStatus.InternalError, error.Status);
        Assert.Contains("kaput", error.Message);
        Assert.True(after.Succeeded);
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task AHandlerThatFailsLater_IsInternalErrorForThatRequestOnly_AmongManyAnsweredLater()
    {
        await using var server = TestServer.Start();
        server.Handler.Intercept = async (request, _) =>
        {
            await Task.Yield(); // answered after the dispatch returned, as a routed request is
            return request is GetRequest { Key: "boom" } ? throw new InvalidOperationException("kaput later") : null;
        };
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });

        async Task<KahunaException?> CallAsync(int i)
        {
            if (i % 10 == 0)
                return await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("boom"));
            Assert.True((await client.SetAsync($"k{i}", $"v{i}")).Succeeded);
            return null;
        }
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(CallAsync));

        for (int i = 0; i < 200; i += 10)
        {
            Assert.Equal(KahunaStatus.InternalError, results[i]!.Status);
            Assert.Contains("kaput later", results[i]!.Message);
        }
        for (int i = 1; i < 200; i += 7)
        {
            if (i % 10 != 0)
                Assert.Equal($"v{i}", (await client.GetAsync($"k{i}")).ValueAsString());
        }
        Assert.Equal(1, server.Server.ConnectionCount);
    }

    [Fact]
    public async Task RefusedCredential_ThrowsUnauthorized()
    {
        await using var server = TestServer.Start(authenticator: new TokenAuthenticator("s3cret"));
        await using var wrong = server.CreateClient(o => o with { Credential = "guess" });
        await using var right = server.CreateClient(o => o with { Credential = "s3cret" });

        var error = await Assert.ThrowsAsync<KahunaException>(() => wrong.PingAsync());
        await right.PingAsync();

        Assert.Equal(KahunaStatus.Unauthorized, error.Status);
    }

    [Fact]
    public async Task NoEndpointReachable_ThrowsUnavailable()
    {
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{ClosedPort()}"],
            RequestTimeout = TimeSpan.FromMilliseconds(500),
        });

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.PingAsync());

        Assert.Equal(KahunaStatus.Unavailable, error.Status);
    }

    [Fact]
    public async Task FirstEndpointDown_FailsOverToTheSecond()
    {
        await using var server = TestServer.Start();
        await using var client = new KahunaClient($"127.0.0.1:{ClosedPort()},{server.Endpoint}");

        var set = await client.SetAsync("k", "v");

        Assert.True(set.Succeeded);
        Assert.Equal(server.Endpoint, client.CurrentEndpoint);
    }

    [Fact]
    public async Task EndpointInUseStops_LaterRequestsGoToTheNextOne()
    {
        var handler = new InMemoryKahunaHandler();
        await using var first = TestServer.Start(handler: handler);
        await using var second = TestServer.Start(handler: handler);
        await using var client = new KahunaClient(new KahunaClientOptions { Endpoints = [first.Endpoint, second.Endpoint] });
        await client.SetAsync("k", "v");
        Assert.Equal(first.Endpoint, client.CurrentEndpoint);

        await first.Server.StopAsync();
        var got = await client.GetAsync("k");

        Assert.Equal("v", got.ValueAsString());
        Assert.Equal(second.Endpoint, client.CurrentEndpoint);
    }

    [Fact]
    public void Options_WithBadEndpoint_AreRejected()
    {
        Assert.Throws<ArgumentException>(() => new KahunaClient("no-port"));
        Assert.Throws<ArgumentException>(() => new KahunaClient("127.0.0.1:99999"));
        Assert.Throws<ArgumentException>(() => new KahunaClient(new KahunaClientOptions()));
    }

    /// <summary>A port nothing listens on: bound by the OS, then released.</summary>
    internal static int ClosedPort()
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)probe.LocalEndPoint!).Port;
    }

    private sealed class TokenAuthenticator(string token) : IConnectionAuthenticator
    {
        public ValueTask<AuthenticationResult> AuthenticateAsync(HelloRequest hello, EndPoint? remoteEndPoint, CancellationToken cancellationToken) =>
            ValueTask.FromResult(hello.Credential == token ? new AuthenticationResult(true, "tester") : AuthenticationResult.Refused("bad credential"));
    }
}
