using System.Buffers;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.Framing;

public class MessageCodecTests
{
    private static DecodedEnvelope<KahunaRequest> Decode(params byte[] payload) => MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(payload));

    [Fact]
    public void DecodeRequest_Garbage_FailsWithoutThrowing()
    {
        var decoded = Decode(0xC1, 0xFF, 0x00, 0x13); // 0xC1 is never used in MessagePack

        Assert.False(decoded.Succeeded);
        Assert.Equal(0UL, decoded.RequestId);
    }

    [Fact]
    public void DecodeRequest_NotAnArray_Fails() => Assert.Contains("not a [requestId, message] array", Decode(0x05).Error);

    [Fact]
    public void DecodeRequest_ArrayOfThree_Fails() => Assert.Contains("3 elements", Decode(0x93, 0x01, 0x02, 0x03).Error);

    [Fact]
    public void DecodeRequest_IdNotAnInteger_Fails() => Assert.Contains("not an integer", Decode(0x92, 0xA1, 0x61, 0xC0).Error);

    [Fact]
    public void DecodeRequest_UnknownUnionTag_FailsNamingTheTagAndKeepsTheId()
    {
        var decoded = Decode(0x92, 0x2A, 0x92, 0x7F, 0x90); // [42, [127, []]]

        Assert.False(decoded.Succeeded);
        Assert.True(decoded.IsUnknownType);
        Assert.Equal(42UL, decoded.RequestId);
        Assert.Contains("unknown request type tag 127", decoded.Error);
    }

    [Fact]
    public void DecodeRequest_MalformedUnion_IsNotAnUnknownType()
    {
        Assert.False(Decode(0x92, 0x2A, 0x92, 0xA1, 0x61, 0x90).IsUnknownType); // [42, ["a", []]]: tag not an integer
        Assert.False(Decode(0x92, 0x2A, 0xC0).IsUnknownType); // [42, nil]
        Assert.False(Decode(0x92, 0x2A, 0x93, 0x01, 0x02, 0x03).IsUnknownType); // [42, [1, 2, 3]]
    }

    [Fact]
    public void DecodeRequest_ResponseOnlyTag_IsUnknownInTheRequestUnion()
    {
        var decoded = Decode(0x92, 0x01, 0x92, UnionTags.Error, 0x90);

        Assert.Contains($"unknown request type tag {UnionTags.Error}", decoded.Error);
    }

    [Fact]
    public void DecodeRequest_NilRequest_FailsWithTheId()
    {
        var decoded = Decode(0x92, 0x09, 0xC0);

        Assert.Equal(9UL, decoded.RequestId);
        Assert.Contains("nil", decoded.Error);
    }

    [Fact]
    public void DecodeRequest_TruncatedBody_FailsWithTheId()
    {
        var payload = RawConnection.RequestPayload(5, new GetRequest { Key = "some-key", Durability = Durability.Persistent });

        var decoded = MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(payload, 0, payload.Length - 4));

        Assert.False(decoded.Succeeded);
        Assert.Equal(5UL, decoded.RequestId);
    }

    [Fact]
    public void DecodeRequest_TrailingBytes_Fail()
    {
        byte[] payload = [.. RawConnection.RequestPayload(3, PingRequest.Instance), 0x00];

        var decoded = MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(payload));

        Assert.Equal(3UL, decoded.RequestId);
        Assert.Contains("unexpected bytes", decoded.Error);
    }

    [Fact]
    public void DecodeRequest_FieldOfTheWrongType_Fails()
    {
        // [1, [21, ["k", "not-a-number", 1]]]: GetRequest with a string where the revision goes.
        var decoded = Decode(0x92, 0x01, 0x92, UnionTags.Get, 0x93, 0xA1, 0x6B, 0xA1, 0x78, 0x01);

        Assert.False(decoded.Succeeded);
        Assert.Equal(1UL, decoded.RequestId);
    }

    [Fact]
    public void DecodeRequest_BinaryLengthBeyondThePayload_Fails()
    {
        // [1, [10, [nil, 0, "r", bin32 of 1 GiB…]]]
        var decoded = Decode(0x92, 0x01, 0x92, UnionTags.TryLock, 0x94, 0xC0, 0x00, 0xA1, 0x72, 0xC6, 0x40, 0x00, 0x00, 0x00, 0x01);

        Assert.False(decoded.Succeeded);
    }

    [Fact]
    public void DecodeRequest_DeeplyNestedPayload_FailsInsteadOfOverflowingTheStack()
    {
        var nested = Enumerable.Repeat((byte)0x91, 100_000).ToArray(); // [[[[…
        byte[] payload = [0x92, 0x01, 0x92, UnionTags.Get, .. nested, 0x00];

        var decoded = MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(payload));

        Assert.False(decoded.Succeeded);
    }

    [Fact]
    public void PeekRequestId_ReadsTheIdFromAPrefix()
    {
        var payload = RawConnection.RequestPayload(123456, new GetRequest { Key = "k", Durability = Durability.Persistent });

        Assert.Equal(123456UL, MessageCodec.PeekRequestId(new ReadOnlySequence<byte>(payload, 0, 6)));
        Assert.Equal(0UL, MessageCodec.PeekRequestId(new ReadOnlySequence<byte>(payload, 0, 1)));
        Assert.Equal(0UL, MessageCodec.PeekRequestId(ReadOnlySequence<byte>.Empty));
    }
}
