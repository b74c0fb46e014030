using System.Buffers;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.Framing;

public class FrameCodecTests
{
    private const int Limit = ProtocolLimits.DefaultMaxFrameBytes;

    private static byte[] PingFrame(ulong id) => RawConnection.Frame(RawConnection.RequestPayload(id, PingRequest.Instance));

    [Fact]
    public void TryReadFrame_WholeFrame_ReturnsPayloadAndAdvances()
    {
        var buffer = new ReadOnlySequence<byte>(PingFrame(7));

        var status = FrameCodec.TryReadFrame(ref buffer, Limit, out var payload, out long declared);

        Assert.Equal(FrameReadStatus.Complete, status);
        Assert.Equal(declared, payload.Length);
        Assert.True(buffer.IsEmpty);
        Assert.Equal(7UL, MessageCodec.DecodeRequest(payload).RequestId);
    }

    [Fact]
    public void TryReadFrame_PartialHeader_IsIncompleteAndConsumesNothing()
    {
        var buffer = new ReadOnlySequence<byte>(PingFrame(1).AsMemory(0, 3));

        var status = FrameCodec.TryReadFrame(ref buffer, Limit, out _, out _);

        Assert.Equal(FrameReadStatus.Incomplete, status);
        Assert.Equal(3, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_LengthBeyondWhatArrived_IsIncomplete()
    {
        var frame = PingFrame(1);
        var buffer = new ReadOnlySequence<byte>(frame.AsMemory(0, frame.Length - 1));

        Assert.Equal(FrameReadStatus.Incomplete, FrameCodec.TryReadFrame(ref buffer, Limit, out _, out _));
        Assert.Equal(frame.Length - 1, buffer.Length);
    }

    [Fact]
    public void TryReadFrame_FrameSplitAcrossSegments_IsReassembled()
    {
        var frame = PingFrame(99);
        // Split inside the header and inside the payload.
        var buffer = Segments.Of(frame[..2], frame[2..6], frame[6..]);

        var status = FrameCodec.TryReadFrame(ref buffer, Limit, out var payload, out _);

        Assert.Equal(FrameReadStatus.Complete, status);
        var decoded = MessageCodec.DecodeRequest(payload);
        Assert.True(decoded.Succeeded, decoded.Error);
        Assert.Equal(99UL, decoded.RequestId);
        Assert.IsType<PingRequest>(decoded.Message);
    }

    [Fact]
    public void TryReadFrame_TwoFramesInOneRead_YieldsBothInOrder()
    {
        var buffer = new ReadOnlySequence<byte>([.. PingFrame(1), .. PingFrame(2)]);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, Limit, out var first, out _));
        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, Limit, out var second, out _));
        Assert.Equal(FrameReadStatus.Incomplete, FrameCodec.TryReadFrame(ref buffer, Limit, out _, out _));
        Assert.Equal(1UL, MessageCodec.DecodeRequest(first).RequestId);
        Assert.Equal(2UL, MessageCodec.DecodeRequest(second).RequestId);
    }

    [Fact]
    public void TryReadFrame_ZeroLength_IsACompleteEmptyFrameThatDoesNotDecode()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[4]);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, Limit, out var payload, out _));
        Assert.True(payload.IsEmpty);
        var decoded = MessageCodec.DecodeRequest(payload);
        Assert.False(decoded.Succeeded);
        Assert.Equal(0UL, decoded.RequestId);
    }

    [Fact]
    public void TryReadFrame_OverLimit_IsOversizedWithTheDeclaredLength()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0x00, 0x20, 0x00, 0x01 }); // 2 MiB + 1

        var status = FrameCodec.TryReadFrame(ref buffer, Limit, out _, out long declared);

        Assert.Equal(FrameReadStatus.Oversized, status);
        Assert.Equal(Limit + 1, declared);
    }

    [Fact]
    public void TryReadFrame_LargestUnsignedLength_IsOversizedNotNegative()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF });

        Assert.Equal(FrameReadStatus.Oversized, FrameCodec.TryReadFrame(ref buffer, Limit, out _, out long declared));
        Assert.Equal(uint.MaxValue, declared);
    }

    [Fact]
    public void TryReadFrame_ExactlyAtLimit_IsAccepted()
    {
        var frame = new byte[4 + ProtocolLimits.MinConfigurableFrameBytes];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(frame, ProtocolLimits.MinConfigurableFrameBytes);
        var buffer = new ReadOnlySequence<byte>(frame);

        Assert.Equal(FrameReadStatus.Complete, FrameCodec.TryReadFrame(ref buffer, ProtocolLimits.MinConfigurableFrameBytes, out _, out _));
    }

    [Fact]
    public void WriteFrame_PrefixesBigEndianLength()
    {
        var output = new ArrayBufferWriter<byte>();

        FrameCodec.WriteFrame(output, [0xAA, 0xBB, 0xCC]);

        Assert.Equal(new byte[] { 0, 0, 0, 3, 0xAA, 0xBB, 0xCC }, output.WrittenSpan.ToArray());
    }
}

/// <summary>Builds multi-segment sequences, as a pipe delivers data that arrived in pieces.</summary>
internal sealed class Segments : ReadOnlySequenceSegment<byte>
{
    private Segments(ReadOnlyMemory<byte> memory, long runningIndex)
    {
        Memory = memory;
        RunningIndex = runningIndex;
    }

    public static ReadOnlySequence<byte> Of(params byte[][] parts)
    {
        var first = new Segments(parts[0], 0);
        var last = first;
        foreach (var part in parts.Skip(1))
        {
            var next = new Segments(part, last.RunningIndex + last.Memory.Length);
            last.Next = next;
            last = next;
        }
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }
}
