using System.Buffers;
using System.Buffers.Binary;

namespace Kahuna.Protocol.Framing;

/// <summary>What <see cref="FrameCodec.TryReadFrame"/> found at the start of a buffer.</summary>
public enum FrameReadStatus
{
    /// <summary>A whole frame was read; the buffer now starts after it.</summary>
    Complete,
    /// <summary>Not enough bytes yet (a partial header or payload); read more and try again.</summary>
    Incomplete,
    /// <summary>The header announces a payload larger than the limit; the stream cannot be trusted any further.</summary>
    Oversized,
}

/// <summary>
/// The frame layer: a 4-byte big-endian payload length, then the payload (one MessagePack message).
/// It knows nothing of what the payload means.
/// </summary>
public static class FrameCodec
{
    /// <summary>
    /// Tries to cut one frame off the front of <paramref name="buffer"/>. On <see cref="FrameReadStatus.Complete"/>
    /// <paramref name="payload"/> is the frame's payload and <paramref name="buffer"/> is advanced past it; on
    /// <see cref="FrameReadStatus.Oversized"/> <paramref name="declaredLength"/> holds the announced length.
    /// </summary>
    public static FrameReadStatus TryReadFrame(
        ref ReadOnlySequence<byte> buffer, int maxPayloadBytes, out ReadOnlySequence<byte> payload, out long declaredLength)
    {
        payload = default;
        declaredLength = 0;
        if (buffer.Length < ProtocolLimits.FrameHeaderBytes)
            return FrameReadStatus.Incomplete;

        Span<byte> header = stackalloc byte[ProtocolLimits.FrameHeaderBytes];
        buffer.Slice(0, ProtocolLimits.FrameHeaderBytes).CopyTo(header);
        declaredLength = BinaryPrimitives.ReadUInt32BigEndian(header);
        if (declaredLength > maxPayloadBytes)
            return FrameReadStatus.Oversized;

        long frameLength = ProtocolLimits.FrameHeaderBytes + declaredLength;
        if (buffer.Length < frameLength)
            return FrameReadStatus.Incomplete;

        payload = buffer.Slice(ProtocolLimits.FrameHeaderBytes, declaredLength);
        buffer = buffer.Slice(frameLength);
        return FrameReadStatus.Complete;
    }

    /// <summary>The payload bytes after a frame's header, when the header is complete (for reading what a broken frame still tells).</summary>
    public static ReadOnlySequence<byte> AfterHeader(ReadOnlySequence<byte> buffer) =>
        buffer.Length <= ProtocolLimits.FrameHeaderBytes ? ReadOnlySequence<byte>.Empty : buffer.Slice(ProtocolLimits.FrameHeaderBytes);

    /// <summary>Writes one frame (header and payload) to <paramref name="output"/>.</summary>
    public static void WriteFrame(IBufferWriter<byte> output, ReadOnlySpan<byte> payload)
    {
        var span = output.GetSpan(ProtocolLimits.FrameHeaderBytes + payload.Length);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)payload.Length);
        payload.CopyTo(span[ProtocolLimits.FrameHeaderBytes..]);
        output.Advance(ProtocolLimits.FrameHeaderBytes + payload.Length);
    }
}
