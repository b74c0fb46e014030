using System.Buffers.Binary;
using System.Net.Sockets;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.Hostile;

/// <summary>
/// Broken and hostile peers against a live server. Each gets the right answer and loses only its own
/// connection; a healthy client on another connection is checked before and after every case.
/// </summary>
public class HostileInputTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    private static async Task WithHealthyNeighbour(Func<TestServer, Task> attack, KahunaServerSettings? settings = null)
    {
        await using var server = TestServer.Start(settings);
        await using var healthy = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await healthy.SetAsync("canary", "alive");

        await attack(server);

        Assert.Equal("alive", (await healthy.GetAsync("canary")).ValueAsString());
    }

    private static async Task AssertProtocolErrorThenClose(RawConnection raw, ulong expectedId, string? messagePart = null)
    {
        var (id, response) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(expectedId, id);
        Assert.Equal(KahunaStatus.ProtocolError, response.Status);
        if (messagePart is not null)
            Assert.Contains(messagePart, response.Message);
        Assert.True(await raw.IsClosedByServerAsync(Wait), "the server closed the connection");
    }

    [Fact]
    public Task NoHandshake_FirstFrameNotHello_ProtocolErrorAndClose() => WithHealthyNeighbour(async server =>
    {
        int before = server.Handler.Received.Count;
        await using var raw = await RawConnection.ConnectAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(5, new GetRequest { Key = "k", Durability = Durability.Persistent });

        await AssertProtocolErrorThenClose(raw, 5, "first frame must be a Hello");
        Assert.Equal(before, server.Handler.Received.Count);
    });

    [Fact]
    public Task UnsupportedVersion_InvalidInputAndClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(1, new HelloRequest { ProtocolVersion = 99 });

        var (id, reply) = await raw.ReadResponseAsync(Wait);

        Assert.Equal(1UL, id);
        Assert.Equal(KahunaStatus.InvalidInput, Assert.IsType<HelloReply>(reply).Status);
        Assert.Contains("99", reply.Message);
        Assert.True(await raw.IsClosedByServerAsync(Wait));
    });

    [Fact]
    public Task SecondHello_IsInvalidInput_AndTheConnectionStays() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(2, new HelloRequest { ProtocolVersion = ProtocolInfo.Version });
        await raw.SendRequestAsync(3, PingRequest.Instance);

        Assert.Equal(KahunaStatus.InvalidInput, (await raw.ReadResponseAsync(Wait)).Response.Status);
        Assert.IsType<PingReply>((await raw.ReadResponseAsync(Wait)).Response);
    });

    [Fact]
    public Task TruncatedFrame_ThenEndOfStream_ProtocolErrorWithTheIdThenClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        var payload = RawConnection.RequestPayload(7, new GetRequest { Key = "some-key", Durability = Durability.Persistent });
        var frame = RawConnection.Frame(payload);
        await raw.SendRawAsync(frame[..(frame.Length - 3)]);
        raw.Socket.Shutdown(SocketShutdown.Send);

        await AssertProtocolErrorThenClose(raw, 7, "inside a frame");
    });

    [Fact]
    public Task OversizedFrame_ProtocolErrorWithTheIdWhenReadable_ThenClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        var header = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(header, 3 * 1024 * 1024);
        await raw.SendRawAsync([.. header, 0x92, 0x05, 0x92]); // the start of [5, [...

        await AssertProtocolErrorThenClose(raw, 5, "exceeds the limit");
    });

    [Fact]
    public Task OversizedFrame_WithoutPayload_ProtocolErrorWithIdZero() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRawAsync([0x7F, 0xFF, 0xFF, 0xFF]);

        await AssertProtocolErrorThenClose(raw, 0, "exceeds the limit");
    });

    [Fact]
    public Task ConfiguredLowerFrameLimit_IsEnforced() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(4, new SetRequest
        {
            OperationId = OperationId.Create(Guid.NewGuid(), 1), Key = "k", Value = new byte[20_000], Durability = Durability.Persistent,
        });

        await AssertProtocolErrorThenClose(raw, 4, "exceeds the limit of 16384");
    }, KahunaServerSettings.Default with { MaxFrameBytes = ProtocolLimits.MinConfigurableFrameBytes });

    [Fact]
    public Task HttpRequestInsteadOfFrames_ProtocolErrorAndClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAsync(server.BoundEndPoint);
        await raw.SendRawAsync("GET / HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray());

        await AssertProtocolErrorThenClose(raw, 0);
    });

    [Fact]
    public Task GarbagePayload_ProtocolErrorAndClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        var garbage = new byte[64];
        new Random(1234).NextBytes(garbage);
        garbage[0] = 0xC1; // never valid MessagePack

        await raw.SendRawAsync(RawConnection.Frame(garbage));

        await AssertProtocolErrorThenClose(raw, 0);
    });

    [Fact]
    public Task ZeroLengthFrame_ProtocolErrorAndClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRawAsync([0, 0, 0, 0]);

        await AssertProtocolErrorThenClose(raw, 0, "empty frame");
    });

    [Fact]
    public Task UnknownUnionTag_UnsupportedForThatRequest_AndTheConnectionStays() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        int before = server.Handler.Received.Count;
        // A newer client's request type, with fields this build cannot read: [9, [99, [1, "x"]]].
        await raw.SendRawAsync(RawConnection.Frame([0x92, 0x09, 0x92, 0x63, 0x92, 0x01, 0xA1, 0x78]));
        await raw.SendRequestAsync(10, PingRequest.Instance);

        var (id, response) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(9UL, id);
        Assert.Equal(KahunaStatus.Unsupported, response.Status);
        Assert.Contains("unknown request type tag 99", response.Message);
        var (pingId, ping) = await raw.ReadResponseAsync(Wait);
        Assert.Equal(10UL, pingId);
        Assert.IsType<PingReply>(ping);
        Assert.Equal(before, server.Handler.Received.Count);
    });

    [Fact]
    public Task UnknownUnionTag_BeforeTheHandshake_ProtocolErrorAndClose() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAsync(server.BoundEndPoint);
        await raw.SendRawAsync(RawConnection.Frame([0x92, 0x09, 0x92, 0x63, 0x90])); // [9, [99, []]]

        await AssertProtocolErrorThenClose(raw, 9, "unknown request type tag 99");
    });

    [Fact]
    public Task InvalidFields_AnswerInvalidInput_WithoutReachingTheHandler_AndTheConnectionStays() => WithHealthyNeighbour(async server =>
    {
        await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        int before = server.Handler.Received.Count;
        // Durability missing (0) and no operation id: decodes fine, but must not be treated as ephemeral.
        await raw.SendRequestAsync(11, new GetRequest { Key = "k" });
        await raw.SendRequestAsync(12, new SetRequest { Key = "k", Value = [1], Durability = Durability.Ephemeral });
        await raw.SendRequestAsync(13, PingRequest.Instance);

        var answers = new[] { await raw.ReadResponseAsync(Wait), await raw.ReadResponseAsync(Wait), await raw.ReadResponseAsync(Wait) }.ToDictionary(a => a.Id, a => a.Response);
        Assert.Equal(KahunaStatus.InvalidInput, answers[11].Status);
        Assert.Contains("Durability", answers[11].Message);
        Assert.Equal(KahunaStatus.InvalidInput, answers[12].Status);
        Assert.Contains("OperationId", answers[12].Message);
        Assert.IsType<PingReply>(answers[13]);
        Assert.Equal(before, server.Handler.Received.Count);
    });

    [Fact]
    public Task ClientVanishingMidRequest_LeavesTheServerHealthy() => WithHealthyNeighbour(async server =>
    {
        var release = new TaskCompletionSource();
        server.Handler.Intercept = async (request, _) =>
        {
            if (request is GetRequest { Key: "slow" })
                await release.Task;
            return null;
        };
        var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
        await raw.SendRequestAsync(2, new GetRequest { Key = "slow", Durability = Durability.Persistent });
        await Eventually.TrueAsync(() => server.Handler.Received.Any(r => r is GetRequest { Key: "slow" }), Wait, "the request arrived");

        await raw.DisposeAsync();
        release.SetResult();

        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 1, Wait, "the vanished connection is released");
    });
}
