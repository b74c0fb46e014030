using System.Diagnostics;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

/// <summary>
/// Request deadlines without a timer per call: a connection sweeps its pending requests against their deadlines while
/// any is pending, a call waiting for an in-flight slot gives up at its deadline, and a timeout too long for any timer
/// means no deadline rather than an error.
/// </summary>
public class RequestDeadlineTests
{
    [Fact]
    public void SweepPeriod_IsATwentiethOfTheRequestTimeout_Between1And100Ms()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(100), KahunaConnection.SweepPeriodFor(TimeSpan.FromSeconds(10)));
        Assert.Equal(TimeSpan.FromMilliseconds(25), KahunaConnection.SweepPeriodFor(TimeSpan.FromMilliseconds(500)));
        Assert.Equal(TimeSpan.FromMilliseconds(1), KahunaConnection.SweepPeriodFor(TimeSpan.FromMilliseconds(3)));
    }

    [Fact]
    public void Deadlines_BeyondAnyTimerAreNone_AndAPassedOneLeavesNothing()
    {
        Assert.Equal(Deadlines.None, Deadlines.After(TimeSpan.MaxValue));
        Assert.Equal(Deadlines.None, Deadlines.After(TimeSpan.FromDays(30)));
        Assert.Equal(Timeout.InfiniteTimeSpan, Deadlines.Remaining(Deadlines.None));
        Assert.Equal(TimeSpan.Zero, Deadlines.Remaining(Stopwatch.GetTimestamp() - 1));

        var left = Deadlines.Remaining(Deadlines.After(TimeSpan.FromMinutes(1)));
        Assert.InRange(left, TimeSpan.FromSeconds(50), TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task ARequestTimeoutBeyondAnyTimer_MeansNoDeadline_NotAnError()
    {
        await using var server = TestServer.Start();
        await using var client = server.CreateClient(o => o with { RequestTimeout = TimeSpan.MaxValue });

        await client.PingAsync();
        var missing = await client.GetAsync("absent");

        Assert.False(missing.Found);
    }

    [Fact]
    public async Task AWaitForAnInFlightSlot_EndsAtTheDeadline()
    {
        await using var server = HangingServer();
        var options = KahunaClientOptions.FromEndpoints(server.Endpoint) with { MaxInFlightPerConnection = 1 };
        await using var connection = await KahunaConnection.OpenAsync(EndpointAddress.Parse(server.Endpoint), options, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var holder = connection.SendAsync(new GetRequest { Key = "hang", Durability = Durability.Persistent }, Deadlines.None, stop.Token).AsTask();

        var started = Stopwatch.GetTimestamp();
        await Assert.ThrowsAsync<RequestDeadlineExceededException>(() =>
            connection.SendAsync(new GetRequest { Key = "other", Durability = Durability.Persistent }, Deadlines.After(TimeSpan.FromMilliseconds(200)), CancellationToken.None).AsTask());

        Assert.True(Stopwatch.GetElapsedTime(started) >= TimeSpan.FromMilliseconds(150), "it waited for the slot until its deadline");
        Assert.False(holder.IsCompleted);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => holder);
    }

    [Fact]
    public async Task TheSweep_RunsWhileARequestIsPending_AndStopsWhenNoneIs()
    {
        await using var server = HangingServer();
        var options = KahunaClientOptions.FromEndpoints(server.Endpoint) with { RequestTimeout = TimeSpan.FromMilliseconds(200) };
        await using var connection = await KahunaConnection.OpenAsync(EndpointAddress.Parse(server.Endpoint), options, CancellationToken.None);
        await Eventually.TrueAsync(() => !connection.SweepArmed, TimeSpan.FromSeconds(10), "the sweep stops after the handshake");

        var late = connection.SendAsync(new GetRequest { Key = "hang", Durability = Durability.Persistent }, Deadlines.After(TimeSpan.FromMilliseconds(50)), CancellationToken.None).AsTask();
        Assert.True(connection.SweepArmed, "a request is pending");
        await Assert.ThrowsAsync<RequestDeadlineExceededException>(() => late);

        await Eventually.TrueAsync(() => !connection.SweepArmed, TimeSpan.FromSeconds(10), "the sweep stops once nothing is pending");
    }

    [Fact]
    public async Task ACancellationAtAboutTheDeadline_EndsTheCallAsOneOfTheTwo_AndHandsTheSlotBack()
    {
        // One in-flight slot: a call whose slot was not handed back would make every later call wait out its deadline.
        await using var server = HangingServer();
        var timeout = TimeSpan.FromMilliseconds(50);
        await using var client = server.CreateClient(o => o with { RequestTimeout = timeout, MaxInFlightPerConnection = 1 });
        var random = new Random(7);
        int cancelled = 0, timedOut = 0;
        for (int i = 0; i < 40; i++)
        {
            // The caller's cancellation lands a few milliseconds either side of the request's deadline.
            using var caller = new CancellationTokenSource(timeout + TimeSpan.FromMilliseconds(random.Next(-4, 5)));
            var call = client.GetAsync("hang", Durability.Persistent, caller.Token);
            var error = await Record.ExceptionAsync(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
            switch (error)
            {
                case OperationCanceledException:
                    Assert.True(caller.IsCancellationRequested, "a cancellation the caller asked for, never the client's own deadline");
                    cancelled++;
                    break;
                case KahunaException { Status: KahunaStatus.Timeout }:
                    timedOut++;
                    break;
                default:
                    Assert.Fail($"call {i} ended with {error?.GetType().Name ?? "an answer"}: {error?.Message}");
                    break;
            }
        }

        Assert.Equal(40, cancelled + timedOut);
        // A loaded machine may miss a 50 ms deadline now and then; a lost slot would make every call miss it.
        Assert.False((await Eventually.AnsweredAsync(() => client.GetAsync("absent"), TimeSpan.FromSeconds(20))).Found);
    }

    private static TestServer HangingServer()
    {
        // The hung handler only ends when the server gives up on it at shutdown: keep that short.
        var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(100) });
        server.Handler.Intercept = async (request, ct) =>
        {
            if (request is GetRequest { Key: "hang" })
                await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        return server;
    }
}
