using System.Buffers;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Protocol.Messages;

/// <summary>
/// Exact bytes of a few frames. If one of these fails, the wire format changed: that breaks every
/// deployed client, so it must be a deliberate, versioned decision, not a side effect.
/// </summary>
public class GoldenBytesTests
{
    private static string RequestFrame(ulong id, KahunaRequest request)
    {
        var payload = new ArrayBufferWriter<byte>();
        MessageCodec.EncodeRequest(payload, id, request);
        var frame = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(frame, payload.WrittenSpan);
        return Convert.ToHexString(frame.WrittenSpan);
    }

    private static string ResponseFrame(ulong id, KahunaResponse response)
    {
        var payload = new ArrayBufferWriter<byte>();
        MessageCodec.EncodeResponse(payload, id, response);
        var frame = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(frame, payload.WrittenSpan);
        return Convert.ToHexString(frame.WrittenSpan);
    }

    [Fact]
    public void Ping() =>
        // length 5 | [1, [2, []]]
        Assert.Equal("00000005" + "9201" + "9202" + "90", RequestFrame(1, PingRequest.Instance));

    [Fact]
    public void Hello() =>
        // [1, [1, [1, "cli", nil]]]
        Assert.Equal("0000000B" + "9201" + "9201" + "93" + "01" + "A3636C69" + "C0",
            RequestFrame(1, new HelloRequest { ProtocolVersion = 1, ClientName = "cli" }));

    [Fact]
    public void TryLock() =>
        // [7, [10, [[1, 2, 3], 3, "r", bin(AB), 1000, 1]]]
        Assert.Equal("00000013" + "9207" + "920A" + "96" + "93010203" + "03" + "A172" + "C401AB" + "CD03E8" + "01",
            RequestFrame(7, new TryLockRequest
            {
                OperationId = new OperationId { ClientHigh = 1, ClientLow = 2, Sequence = 3 },
                CompletedBelow = 3,
                Resource = "r",
                Owner = [0xAB],
                LeaseMs = 1000,
                Durability = Durability.Persistent,
            }));

    [Fact]
    public void Scan() =>
        // [2, [25, ["a", nil, 10, 1, false]]]
        Assert.Equal("0000000B" + "9202" + "9219" + "95" + "A161" + "C0" + "0A" + "01" + "C2",
            RequestFrame(2, new ScanRequest { Prefix = "a", Limit = 10, Durability = Durability.Persistent }));

    [Fact]
    public void ScanKeysOnly() =>
        // [2, [25, ["a", nil, 10, 2, true]]]
        Assert.Equal("0000000B" + "9202" + "9219" + "95" + "A161" + "C0" + "0A" + "02" + "C3",
            RequestFrame(2, new ScanRequest { Prefix = "a", Limit = 10, Durability = Durability.Ephemeral, KeysOnly = true }));

    [Fact]
    public void Scan_OfAClientOlderThanKeysOnly_DecodesAsAScanWithValues()
    {
        // [2, [25, ["a", nil, 10, 1]]]: the four fields a Scan had before keysOnly.
        var decoded = MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(
            Convert.FromHexString("9202" + "9219" + "94" + "A161" + "C0" + "0A" + "01")));

        var scan = Assert.IsType<ScanRequest>(decoded.Message);
        Assert.Equal(("a", 10, Durability.Persistent, false), (scan.Prefix, scan.Limit, scan.Durability, scan.KeysOnly));
    }

    [Fact]
    public void GetMany() =>
        // [3, [26, [["a", "b"], 2]]]
        Assert.Equal("0000000B" + "9203" + "921A" + "92" + "92A161A162" + "02",
            RequestFrame(3, new GetManyRequest { Keys = ["a", "b"], Durability = Durability.Ephemeral }));

    [Fact]
    public void SetMany() =>
        // [4, [27, [[1, 2, 3], 0, [["k", bin(01), 0]], 1]]]
        Assert.Equal("00000013" + "9204" + "921B" + "94" + "93010203" + "00" + "91" + "93A16BC4010100" + "01",
            RequestFrame(4, new SetManyRequest
            {
                OperationId = new OperationId { ClientHigh = 1, ClientLow = 2, Sequence = 3 },
                Items = [new SetManyItem { Key = "k", Value = [1] }],
                Durability = Durability.Persistent,
            }));

    [Fact]
    public void DeleteMany() =>
        // [5, [28, [[1, 2, 3], 0, ["a", "b"], 1]]]
        Assert.Equal("00000010" + "9205" + "921C" + "94" + "93010203" + "00" + "92A161A162" + "01",
            RequestFrame(5, new DeleteManyRequest
            {
                OperationId = new OperationId { ClientHigh = 1, ClientLow = 2, Sequence = 3 },
                Keys = ["a", "b"],
                Durability = Durability.Persistent,
            }));

    [Fact]
    public void CompareRevisionAndDelete() =>
        // [6, [23, [[1, 2, 3], 0, "k", 1, nil, 7]]]
        Assert.Equal("0000000F" + "9206" + "9217" + "96" + "93010203" + "00" + "A16B" + "01" + "C0" + "07",
            RequestFrame(6, new DeleteRequest
            {
                OperationId = new OperationId { ClientHigh = 1, ClientLow = 2, Sequence = 3 },
                Key = "k",
                Durability = Durability.Persistent,
                CompareRevision = 7,
            }));

    [Fact]
    public void SetResponse_PreconditionFailed() =>
        // [4, [20, [3, "x", 5]]]
        Assert.Equal("00000009" + "9204" + "9214" + "93" + "03" + "A178" + "05",
            ResponseFrame(4, new SetResponse { Status = KahunaStatus.PreconditionFailed, Message = "x", Revision = 5 }));

    [Fact]
    public void ErrorResponse_ProtocolErrorWithoutRequestId() =>
        // [0, [3, [30, "bad"]]]
        Assert.Equal("0000000A" + "9200" + "9203" + "92" + "1E" + "A3626164",
            ResponseFrame(0, ErrorResponse.Create(KahunaStatus.ProtocolError, "bad")));
}
