using System.Buffers;
using BenchmarkDotNet.Attributes;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Benchmarks;

/// <summary>
/// The client protocol's codec as the server and client use it: encode into a reused scratch buffer, then frame
/// into the output (KahunaSession.WriteAnswer, KahunaConnection's write loop); decode by cutting a frame off the
/// input and decoding its envelope (KahunaSession's read loop). A pipe is stood in for by a reused buffer writer.
/// </summary>
[MemoryDiagnoser]
public class ClientCodecBenchmarks
{
    private const ulong RequestId = 123_456;

    // Reused like the sessions' scratch and pipe buffers, so only the codec's own allocations are counted.
    private readonly ArrayBufferWriter<byte> _scratch = new(4096);
    private readonly ArrayBufferWriter<byte> _output = new(4096);

    private SetRequest _set = null!;
    private GetResponse _get = null!;
    private TryLockRequest _tryLock = null!;
    private ReadOnlySequence<byte> _setFrame, _getFrame, _tryLockFrame;

    [GlobalSetup]
    public void Setup()
    {
        var operation = OperationId.Create(Guid.Parse("6f1c2a8e-3b44-4d0b-9a5e-2c7d8e9f0a1b"), 42);
        var value = new byte[128];
        new Random(1).NextBytes(value);
        _set = new SetRequest
        {
            OperationId = operation, CompletedBelow = 41, Key = "config/service-17/feature-x",
            Value = value, TtlMs = 600_000, Durability = Durability.Persistent,
        };
        _get = new GetResponse { Status = KahunaStatus.Ok, Value = value, Revision = 981_223, ExpiresAtUnixMs = 1_767_000_000_000 };
        _tryLock = new TryLockRequest
        {
            OperationId = operation, CompletedBelow = 41, Resource = "jobs/nightly-report",
            Owner = Guid.NewGuid().ToByteArray(), LeaseMs = 30_000, Durability = Durability.Persistent,
        };
        _setFrame = Frame(w => MessageCodec.EncodeRequest(w, RequestId, _set));
        _getFrame = Frame(w => MessageCodec.EncodeResponse(w, RequestId, _get));
        _tryLockFrame = Frame(w => MessageCodec.EncodeRequest(w, RequestId, _tryLock));
    }

    [Benchmark]
    public int EncodeSetRequest()
    {
        _scratch.ResetWrittenCount();
        MessageCodec.EncodeRequest(_scratch, RequestId, _set);
        return WriteFrame();
    }

    [Benchmark]
    public KahunaRequest DecodeSetRequest() => DecodeRequest(_setFrame);

    [Benchmark]
    public int EncodeGetResponse()
    {
        _scratch.ResetWrittenCount();
        MessageCodec.EncodeResponse(_scratch, RequestId, _get);
        return WriteFrame();
    }

    [Benchmark]
    public KahunaResponse DecodeGetResponse()
    {
        var input = _getFrame;
        FrameCodec.TryReadFrame(ref input, ProtocolLimits.DefaultMaxFrameBytes, out var payload, out _);
        return MessageCodec.DecodeResponse(payload).Message ?? throw new InvalidOperationException("decode failed");
    }

    [Benchmark]
    public int EncodeTryLockRequest()
    {
        _scratch.ResetWrittenCount();
        MessageCodec.EncodeRequest(_scratch, RequestId, _tryLock);
        return WriteFrame();
    }

    [Benchmark]
    public KahunaRequest DecodeTryLockRequest() => DecodeRequest(_tryLockFrame);

    private int WriteFrame()
    {
        _output.ResetWrittenCount();
        FrameCodec.WriteFrame(_output, _scratch.WrittenSpan);
        return _output.WrittenCount;
    }

    private static KahunaRequest DecodeRequest(ReadOnlySequence<byte> frame)
    {
        var input = frame;
        FrameCodec.TryReadFrame(ref input, ProtocolLimits.DefaultMaxFrameBytes, out var payload, out _);
        // Throwing (not returning null) makes a broken fixture fail loudly instead of timing the error path.
        return MessageCodec.DecodeRequest(payload).Message ?? throw new InvalidOperationException("decode failed");
    }

    private static ReadOnlySequence<byte> Frame(Action<IBufferWriter<byte>> encode)
    {
        var payload = new ArrayBufferWriter<byte>();
        encode(payload);
        var frame = new ArrayBufferWriter<byte>();
        FrameCodec.WriteFrame(frame, payload.WrittenSpan);
        return new ReadOnlySequence<byte>(frame.WrittenMemory);
    }
}
