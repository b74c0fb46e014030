using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>
/// Broken and hostile frames against a real node process (the same cases the protocol tests run against an in-memory
/// server): each gets its documented answer and loses only its own connection, while a second, healthy connection to
/// the same node keeps reading and writing persistent data throughout, and the process stays alive.
/// </summary>
[Collection("cluster")]
public sealed class HostileFramesAgainstLiveNodeTests(LiveClusterFixture fixture) : IClassFixture<LiveClusterFixture>
{
    private const string Target = "n2";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public Task NoHandshake_FirstFrameNotHello_ProtocolErrorAndClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAsync(endpoint);
        await raw.SendRequestAsync(5, new GetRequest { Key = "k", Durability = Durability.Persistent });

        await AssertProtocolErrorThenCloseAsync(raw, 5, "first frame must be a Hello");
    });

    [Fact]
    public Task TruncatedFrame_ThenEndOfStream_ProtocolErrorWithTheIdThenClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
        var frame = RawConnection.Frame(RawConnection.RequestPayload(7, new GetRequest { Key = "some-key", Durability = Durability.Persistent }));
        await raw.SendRawAsync(frame[..(frame.Length - 3)]);
        raw.Socket.Shutdown(SocketShutdown.Send);

        await AssertProtocolErrorThenCloseAsync(raw, 7, "inside a frame");
    });

    [Fact]
    public Task OversizedLength_ProtocolErrorWithTheIdWhenReadable_ThenClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 3 * 1024 * 1024); // above the node's 2 MiB max-frame-bytes
        await raw.SendRawAsync([.. header, 0x92, 0x05, 0x92]); // the start of [5, [...

        await AssertProtocolErrorThenCloseAsync(raw, 5, "exceeds the limit");
    });

    [Fact]
    public Task OversizedLength_WithoutPayload_ProtocolErrorWithIdZeroThenClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
        await raw.SendRawAsync([0x7F, 0xFF, 0xFF, 0xFF]);

        await AssertProtocolErrorThenCloseAsync(raw, 0, "exceeds the limit");
    });

    [Fact]
    public Task GarbageMessagePack_ProtocolErrorAndClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
        var garbage = new byte[64];
        new Random(1234).NextBytes(garbage);
        garbage[0] = 0xC1; // never valid MessagePack
        await raw.SendRawAsync(RawConnection.Frame(garbage));

        await AssertProtocolErrorThenCloseAsync(raw, 0);
    });

    [Fact]
    public Task UnknownUnionTag_UnsupportedAndTheConnectionStays() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
        await raw.SendRawAsync(RawConnection.Frame([0x92, 0x09, 0x92, 0x63, 0x90])); // [9, [99, []]]
        await raw.SendRequestAsync(10, PingRequest.Instance);

        var (id, response) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(9UL, id);
        Assert.Equal(KahunaStatus.Unsupported, response.Status);
        Assert.Contains("unknown request type tag 99", response.Message);
        Assert.IsType<PingReply>((await raw.ReadResponseAsync(Wait)).Response);
    });

    [Fact]
    public Task HttpInsteadOfFrames_ProtocolErrorAndClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        await using var raw = await RawConnection.ConnectAsync(endpoint);
        await raw.SendRawAsync("GET / HTTP/1.1\r\nHost: kahuna\r\n\r\n"u8.ToArray());

        await AssertProtocolErrorThenCloseAsync(raw, 0);
    });

    /// <summary>Seeded random frames, random bytes and corrupted valid requests, each on its own connection.</summary>
    [Fact]
    public Task RandomFramesAndBytes_EachEndsWithAnAnswerOrAClose() => WithHealthyNeighbourAsync(async endpoint =>
    {
        var random = new Random(20261126);
        var valid = RawConnection.RequestPayload(3, new GetRequest { Key = "k", Durability = Durability.Persistent });
        for (int round = 0; round < 60; round++)
        {
            await using var raw = await RawConnection.ConnectAndHelloAsync(endpoint);
            byte[] bytes = (round % 3) switch
            {
                0 => RawConnection.Frame(RandomBytes(random, random.Next(0, 48))),
                1 => RandomBytes(random, random.Next(1, 48)),
                _ => RawConnection.Frame(Corrupt(random, valid)),
            };
            await raw.SendRawAsync(bytes);
            await raw.SendRequestAsync(1000, PingRequest.Instance); // answered if the stream is still in sync

            // Drain until the node closes or answers the trailing ping; either way it must not hang.
            while (await raw.TryReadResponseAsync(Wait) is { Id: not 1000 })
            {
            }
        }
    });

    private async Task WithHealthyNeighbourAsync(Func<IPEndPoint, Task> attack)
    {
        var cluster = fixture.Cluster;
        await cluster.RunAsync(async () =>
        {
            var endpoint = cluster.ClientEndPointOf(Target);
            await using var neighbour = await RawConnection.ConnectAndHelloAsync(endpoint);
            var writer = new CanaryWriter(cluster.Keys.Key(0, "canary"), cluster.Keys.Key(3, "canary"));
            await writer.WriteAndReadBackAsync(neighbour);

            await attack(endpoint);

            // The same connection, not a new one, is still served: persistent writes and reads through the node.
            await writer.WriteAndReadBackAsync(neighbour);
            Assert.True(cluster.IsRunning(Target), $"node {Target} is no longer running");
        });
    }

    private static async Task AssertProtocolErrorThenCloseAsync(RawConnection raw, ulong expectedId, string? messagePart = null)
    {
        var (id, response) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(expectedId, id);
        Assert.Equal(KahunaStatus.ProtocolError, response.Status);
        if (messagePart is not null)
            Assert.Contains(messagePart, response.Message);
        Assert.True(await raw.IsClosedByServerAsync(Wait), "the node closed the hostile connection");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Corrupt(Random random, byte[] valid)
    {
        var copy = (byte[])valid.Clone();
        for (int i = 0; i < 1 + random.Next(3); i++)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }

    /// <summary>Writes fresh values to keys in two partitions over a raw connection and reads them back.</summary>
    private sealed class CanaryWriter(params string[] keys)
    {
        private readonly Guid _clientId = Guid.NewGuid();
        private long _sequence;
        private ulong _requestId = 100;

        public async Task WriteAndReadBackAsync(RawConnection connection)
        {
            foreach (var key in keys)
            {
                var value = Encoding.UTF8.GetBytes($"alive {++_sequence}");
                var set = await AskAsync(connection, new SetRequest
                {
                    OperationId = OperationId.Create(_clientId, _sequence), Key = key, Value = value, Durability = Durability.Persistent,
                });
                Assert.Equal(KahunaStatus.Ok, set.Status);
                var got = Assert.IsType<GetResponse>(await AskAsync(connection, new GetRequest { Key = key, Durability = Durability.Persistent }));
                Assert.Equal(value, got.Value);
            }
        }

        private async Task<KahunaResponse> AskAsync(RawConnection connection, KahunaRequest request)
        {
            ulong id = ++_requestId;
            await connection.SendRequestAsync(id, request);
            var (answeredId, response) = await connection.ReadResponseAsync(Wait);
            Assert.Equal(id, answeredId);
            return response;
        }
    }
}
