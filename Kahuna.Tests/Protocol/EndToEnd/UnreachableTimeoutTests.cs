using System.Diagnostics;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;
using static Kahuna.Tests.Protocol.EndToEnd.RetryAndFaultTests;

namespace Kahuna.Tests.Protocol.EndToEnd;

/// <summary>
/// <see cref="KahunaClientOptions.UnreachableTimeout"/>: a call that no endpoint takes a connection for fails with
/// Unavailable after that bound, not after the (much longer) request timeout; a node that answers stops the clock.
/// </summary>
public class UnreachableTimeoutTests
{
    // Far longer than any test waits: a call that ends must have ended by the unreachable bound.
    private static readonly TimeSpan LongRequestTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan TestDeadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task NoEndpointTakesAConnection_FailsUnavailable_OnTheUnreachableBound()
    {
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{ClosedPort()}", $"127.0.0.1:{ClosedPort()}"],
            RequestTimeout = LongRequestTimeout,
            UnreachableTimeout = TimeSpan.FromMilliseconds(200),
        });

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetAsync("k").WaitAsync(TestDeadline));

        Assert.Equal(KahunaStatus.Unavailable, error.Status);
        Assert.Contains("no node accepted a connection for 200 ms: no endpoint reachable", error.Message);
        Assert.DoesNotContain("may have been applied", error.Message);
    }

    [Fact]
    public async Task RetryableAnswers_FromAReachableNode_AreNotCutShort()
    {
        await using var server = TestServer.Start();
        int refusals = 0;
        server.Handler.Intercept = (request, _) =>
            ValueTask.FromResult<KahunaResponse?>(request is SetRequest && Interlocked.Increment(ref refusals) <= 5
                ? ErrorResponse.Create(KahunaStatus.Retry, "no leader yet")
                : null);
        // The smallest bound there is: a second attempt in a row that reached no node would end the call. The connection
        // is opened first (a slow handshake on a busy machine is not what this test is about), so every attempt of the
        // write below reaches the node.
        await using var client = server.CreateClient(o => o with { UnreachableTimeout = TimeSpan.FromTicks(1) });
        await OpenAsync(client);

        var result = await client.SetAsync("k", "v").WaitAsync(TestDeadline);

        Assert.True(result.Succeeded);
        Assert.Equal(6, server.Handler.Received.OfType<SetRequest>().Count());
    }

    /// <summary>Pings until a ping gets through (each failed ping is a fresh call), within the test's deadline.</summary>
    private static async Task OpenAsync(KahunaClient client)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await client.PingAsync().WaitAsync(TestDeadline);
                return;
            }
            catch (KahunaException) when (clock.Elapsed < TestDeadline)
            {
            }
        }
    }

    [Fact]
    public async Task AWriteSentBeforeTheClusterWentAway_SaysItMayHaveBeenApplied()
    {
        var handler = new InMemoryKahunaHandler();
        await using var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) }, handler: handler);
        var applied = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        handler.AfterApply = async (request, ct) =>
        {
            if (request is SetRequest && applied.TrySetResult())
                await Task.Delay(Timeout.Infinite, ct); // applied, but the answer never leaves
        };
        await using var client = server.CreateClient(o => o with
        {
            RequestTimeout = LongRequestTimeout,
            UnreachableTimeout = TimeSpan.FromMilliseconds(200),
        });

        var setting = client.SetAsync("k", "v");
        await applied.Task.WaitAsync(TestDeadline);
        await server.Server.StopAsync();
        var error = await Assert.ThrowsAsync<KahunaException>(() => setting.WaitAsync(TestDeadline));

        Assert.Equal(KahunaStatus.Unavailable, error.Status);
        Assert.Contains("no node accepted a connection for 200 ms", error.Message);
        Assert.EndsWith("an earlier attempt of this write was sent, so it may have been applied", error.Message);
        Assert.Equal(1, handler.AppliedWrites);
    }

    [Fact]
    public void ANonPositiveBound_IsRejected()
    {
        var options = KahunaClientOptions.FromEndpoints("127.0.0.1:7070") with { UnreachableTimeout = TimeSpan.Zero };

        var error = Assert.Throws<ArgumentException>(() => new KahunaClient(options));

        Assert.Contains("UnreachableTimeout", error.Message);
    }

    [Fact]
    public void Clock_RunsFromTheFirstFailedAttempt_AndStopsWhenANodeIsReached()
    {
        var limit = TimeSpan.FromSeconds(3);
        var clock = new UnreachableClock(limit);
        long longAgo = Stopwatch.GetTimestamp() - (long)(4 * Stopwatch.Frequency);

        Assert.Equal(TimeSpan.FromSeconds(1), clock.Cap(TimeSpan.FromSeconds(1)));   // not running: pauses unchanged
        Assert.False(clock.Failed(Stopwatch.GetTimestamp()));                      // just started
        Assert.True(clock.Cap(TimeSpan.FromSeconds(10)) <= limit);                  // a pause ends by the bound
        clock.Reached();                                                           // a node answered: stopped
        Assert.Equal(TimeSpan.FromSeconds(1), clock.Cap(TimeSpan.FromSeconds(1)));
        Assert.True(clock.Failed(longAgo));                                        // a first failure 4 s ago
        Assert.Equal(TimeSpan.Zero, clock.Cap(TimeSpan.FromSeconds(1)));            // the bound has passed
        Assert.True(clock.Failed(Stopwatch.GetTimestamp()));                       // the clock keeps its start
    }
}
