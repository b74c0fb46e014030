using System.Diagnostics;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Protocol.Support;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Protocol.Measurements;

/// <summary>
/// Measures Ping round trips per second through the real client and server on loopback. It reports the
/// figures and checks only that every ping was answered: timing is never asserted (shared 2-core machines).
/// Each configuration is warmed up first: without it the JIT's first tier dominates a short run.
/// </summary>
public class PingThroughputMeasurement(ITestOutputHelper output)
{
    private static readonly TimeSpan WarmUp = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Measured = TimeSpan.FromMilliseconds(1000);

    [Fact]
    public async Task PingRoundTrips_OneAndFourConnections_With64InFlightEach()
    {
        await using var server = TestServer.Start();
        foreach (int connections in new[] { 1, 4 })
        {
            await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = connections });
            int workers = connections * 64;
            await RunAsync(client, workers, WarmUp);
            var (completed, elapsed) = await RunAsync(client, workers, Measured);

            output.WriteLine($"{connections} connection(s) x 64 in flight: {completed} pings in {elapsed.TotalMilliseconds:F0} ms = {completed / elapsed.TotalSeconds:F0} round trips/s");
            Assert.True(completed >= workers, "every worker completed at least one ping");
            Assert.Equal(connections, server.Server.ConnectionCount);
        }
    }

    private static async Task<(long Completed, TimeSpan Elapsed)> RunAsync(KahunaClient client, int workers, TimeSpan duration)
    {
        long completed = 0;
        var stopwatch = Stopwatch.StartNew();
        // Task.Run keeps the loops off xUnit's synchronization context, which would funnel them through two threads.
        var loops = Enumerable.Range(0, workers).Select(_ => Task.Run(async () =>
        {
            while (stopwatch.Elapsed < duration)
            {
                await client.PingAsync();
                Interlocked.Increment(ref completed);
            }
        })).ToArray();
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(60));
        return (completed, stopwatch.Elapsed);
    }
}
