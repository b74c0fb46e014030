using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.ProcessLevel;
using Kahuna.Tests.Protocol.Support;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults.Hostile;

/// <summary>
/// Protocol fuzzing against a real node process: more than ten thousand seeded hostile frames (random, mutated, wrong
/// types, huge collection headers, deep nesting, invalid UTF-8, negative numbers, bad lengths), slow clients and many
/// idle connections. Throughout, one healthy connection keeps writing and reading persistent data, the process stays
/// alive, and its resident memory stays bounded.
/// </summary>
[Collection("cluster")]
public sealed class FuzzAgainstLiveNodeTests(LiveClusterFixture fixture, ITestOutputHelper output) : IClassFixture<LiveClusterFixture>
{
    private const string Target = "n2";
    public const int Frames = 10_000;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private static readonly Dictionary<KahunaStatus, int> Statuses = new();

    /// <summary>Growth allowed over the whole fuzz run: generous for a GC'd heap, far below what one unbounded buffer would take.</summary>
    private const long MaxRssGrowthBytes = 256L * 1024 * 1024;

    [Fact]
    public Task TenThousandHostileFrames_NodeAnswersOrClosesEach_HealthyConnectionKeepsWorking_MemoryBounded() => RunAsync(async (cluster, endpoint, canary) =>
    {
        int pid = cluster.PidOf(Target)!.Value;
        long rssBefore = NodeMemory.RssBytes(pid), rssPeak = rssBefore;
        var frames = new HostileFrames(seed: 20261126);
        var sent = Enum.GetValues<FrameKind>().ToDictionary(k => k, _ => 0);
        int connections = 0, answered = 0, closedByNode = 0;
        var clock = Stopwatch.StartNew();
        RawConnection? raw = null;
        try
        {
            for (int i = 0; i < Frames; i++)
            {
                if (raw is null)
                {
                    raw = await RawConnection.ConnectAndHelloAsync(endpoint);
                    connections++;
                }
                var frame = frames.Next((ulong)(i + 10));
                sent[frame.Kind]++;
                await raw.SendRawAsync(frame.Bytes);
                if (frame.LeavesStreamIncomplete)
                {
                    // The node cannot know where the next frame starts: end the stream; it must answer or close, never hang.
                    raw.Socket.Shutdown(SocketShutdown.Send);
                    Assert.True(await raw.IsClosedByServerAsync(Wait), $"frame {i} ({frame.Kind}): the node neither answered nor closed within {Wait.TotalSeconds:0} s");
                    closedByNode++;
                    await raw.DisposeAsync();
                    raw = null;
                }
                else
                {
                    await raw.SendRequestAsync(1, PingRequest.Instance); // answered only if the stream is still in sync
                    bool open = await DrainUntilPingAsync(raw, i, frame.Kind);
                    if (open) answered++;
                    else
                    {
                        closedByNode++;
                        await raw.DisposeAsync();
                        raw = null;
                    }
                }
                if (i % 500 == 0)
                {
                    await canary.WriteAndReadBackAsync();
                    rssPeak = Math.Max(rssPeak, NodeMemory.RssBytes(pid));
                    Assert.True(cluster.IsRunning(Target), $"node {Target} died after frame {i}");
                }
            }
        }
        finally
        {
            if (raw is not null) await raw.DisposeAsync();
        }
        await canary.WriteAndReadBackAsync();
        long rssAfter = NodeMemory.RssBytes(pid);
        output.WriteLine($"{Frames} hostile frames in {clock.Elapsed.TotalSeconds:F1} s over {connections} connections " +
            $"({answered} answered with the connection kept, {closedByNode} ended by the node): {string.Join(", ", sent.Select(s => $"{s.Key}={s.Value}"))}; " +
            $"node RSS {NodeMemory.Mib(rssBefore)} before, peak {NodeMemory.Mib(rssPeak)}, {NodeMemory.Mib(rssAfter)} after; " +
            $"healthy connection: {canary.Rounds} rounds, slowest {canary.SlowestRound.TotalMilliseconds:F0} ms; " +
            $"answers to hostile frames: {string.Join(", ", Statuses.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.True(rssPeak - rssBefore < MaxRssGrowthBytes, $"node RSS grew from {NodeMemory.Mib(rssBefore)} to {NodeMemory.Mib(rssPeak)}");
        Assert.All(sent, s => Assert.True(s.Value > 0, $"no {s.Key} frame was sent"));
    });

    [Fact]
    public Task SlowClientsAndManyIdleConnections_DoNotStarveAHealthyConnection() => RunAsync(async (cluster, endpoint, canary) =>
    {
        const int idle = 1000;
        var parked = new List<Socket>();
        try
        {
            // Many idle connections: half never say hello, half complete the handshake and then say nothing.
            for (int i = 0; i < idle; i++)
            {
                if (i % 2 == 0)
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    await socket.ConnectAsync(endpoint);
                    parked.Add(socket);
                }
                else
                {
                    var hello = await RawConnection.ConnectAndHelloAsync(endpoint);
                    parked.Add(hello.Socket);
                }
            }
            await canary.WriteAndReadBackAsync();

            // A slow writer: one valid request, one byte every 20 ms; and a client that pipelines requests but never reads.
            await using var slow = await RawConnection.ConnectAndHelloAsync(endpoint);
            var slowFrame = RawConnection.Frame(RawConnection.RequestPayload(5, new GetRequest { Key = "slow", Durability = Durability.Persistent }));
            await using var deaf = await RawConnection.ConnectAndHelloAsync(endpoint, receiveBufferBytes: 4096);
            var pipelined = RawConnection.Frame(RawConnection.RequestPayload(6, new GetRequest { Key = new string('k', 4000), Durability = Durability.Ephemeral }));
            var deafWriter = Task.Run(async () =>
            {
                // Bounded: stop after 20k requests or once the node stops reading (backpressure), whichever comes first.
                for (int i = 0; i < 20_000; i++)
                {
                    var send = deaf.Socket.SendAsync(pipelined, SocketFlags.None);
                    if (await Task.WhenAny(send, Task.Delay(2000)) != send) return i;
                }
                return 20_000;
            });
            for (int i = 0; i < slowFrame.Length; i++)
            {
                await slow.SendRawAsync([slowFrame[i]]);
                if (i % 10 == 0) await canary.WriteAndReadBackAsync();
                await Task.Delay(20);
            }
            var (id, answer) = await slow.ReadResponseAsync(Wait);
            Assert.Equal(5UL, id);
            Assert.Equal(KahunaStatus.NotFound, answer.Status);
            int deafSent = await deafWriter.WaitAsync(TimeSpan.FromSeconds(60));
            for (int i = 0; i < 20; i++) await canary.WriteAndReadBackAsync();
            output.WriteLine($"{idle} idle connections, a 1-byte-per-20-ms writer and a client that never reads ({deafSent} requests sent before backpressure): " +
                $"healthy connection {canary.Rounds} rounds, slowest {canary.SlowestRound.TotalMilliseconds:F0} ms; node RSS {NodeMemory.Mib(NodeMemory.RssBytes(cluster.PidOf(Target)!.Value))}");
            Assert.True(canary.SlowestRound < TimeSpan.FromSeconds(5), $"the healthy connection waited {canary.SlowestRound.TotalSeconds:F1} s");
        }
        finally
        {
            foreach (var socket in parked) socket.Dispose();
        }
    });

    /// <summary>Reads answers until the ping's; false when the node closed the connection (the frame was fatal to it).</summary>
    private static async Task<bool> DrainUntilPingAsync(RawConnection raw, int index, FrameKind kind)
    {
        while (true)
        {
            (ulong Id, KahunaResponse Response)? next;
            try
            {
                next = await raw.TryReadResponseAsync(Wait);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"frame {index} ({kind}): no answer and no close within {Wait.TotalSeconds:0} s");
            }
            if (next is null) return false;
            if (next.Value.Id == 1 && next.Value.Response is PingReply) return true;
            // Any answer but a crash: InternalError means an exception escaped a handler for input it should have rejected.
            var status = next.Value.Response.Status;
            Assert.True(status != KahunaStatus.InternalError, $"frame {index} ({kind}) was answered InternalError: {next.Value.Response.Message}");
            lock (Statuses) Statuses[status] = Statuses.GetValueOrDefault(status) + 1;
        }
    }

    private async Task RunAsync(Func<KahunaProcessCluster, IPEndPoint, CanaryConnection, Task> attack)
    {
        var cluster = fixture.Cluster;
        await cluster.RunAsync(async () =>
        {
            var endpoint = cluster.ClientEndPointOf(Target);
            await using var canary = await CanaryConnection.OpenAsync(endpoint, cluster.Keys.Key(0, "fuzz-canary"), cluster.Keys.Key(3, "fuzz-canary"));
            await canary.WriteAndReadBackAsync();
            await attack(cluster, endpoint, canary);
            await canary.WriteAndReadBackAsync();
            Assert.True(cluster.IsRunning(Target), $"node {Target} is no longer running");
        });
    }
}
