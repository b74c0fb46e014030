using System.Buffers;
using System.Buffers.Binary;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using MessagePack;

namespace Kahuna.Tests.Faults.Hostile;

/// <summary>How a hostile frame is built; the fuzz test reports how many of each it sent.</summary>
internal enum FrameKind
{
    RandomPayload,
    RawBytes,
    MutatedRequest,
    WrongTypes,
    HugeCollection,
    DeepNesting,
    InvalidUtf8,
    NegativeNumbers,
    BadLength,
}

/// <summary>One hostile frame: its bytes, and whether the stream stays in sync after it (so a ping behind it gets an answer).</summary>
internal sealed record HostileFrame(FrameKind Kind, byte[] Bytes, bool LeavesStreamIncomplete);

/// <summary>
/// Seeded hostile frames: random and mutated ones, and MessagePack that decodes structurally but lies (wrong types,
/// collection headers announcing two billion items, nesting far past any sane depth, invalid UTF-8, negative counts and
/// leases, lengths that do not match the payload).
/// </summary>
internal sealed class HostileFrames(int seed)
{
    private readonly Random _random = new(seed);

    private static readonly KahunaRequest[] ValidRequests =
    [
        new GetRequest { Key = "fuzz/k", Durability = Durability.Persistent },
        new SetRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Key = "fuzz/k", Value = [1, 2, 3], Durability = Durability.Persistent },
        new TryLockRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Resource = "fuzz/l", Owner = [7], LeaseMs = 1000, Durability = Durability.Ephemeral },
        new NextSequenceRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Name = "fuzz/s", Count = 3 },
        new ExistsRequest { Key = "fuzz/k", Durability = Durability.Ephemeral },
    ];

    public HostileFrame Next(ulong id)
    {
        var kind = (FrameKind)_random.Next(Enum.GetValues<FrameKind>().Length);
        return kind switch
        {
            FrameKind.RandomPayload => Framed(kind, Bytes(_random.Next(0, 64))),
            FrameKind.RawBytes => new HostileFrame(kind, Bytes(_random.Next(1, 64)), LeavesStreamIncomplete: true),
            FrameKind.MutatedRequest => Framed(kind, Mutate(RawConnection.RequestPayload(id, ValidRequests[_random.Next(ValidRequests.Length)]))),
            FrameKind.WrongTypes => Framed(kind, Request(id, _random.Next(10, 41), WrongTypes)),
            FrameKind.HugeCollection => Framed(kind, Request(id, _random.Next(10, 41), HugeCollection)),
            FrameKind.DeepNesting => Framed(kind, DeepNesting(id, _random.Next(200, 20_000))),
            FrameKind.InvalidUtf8 => Framed(kind, Request(id, 21, InvalidUtf8)),
            FrameKind.NegativeNumbers => Framed(kind, RawConnection.RequestPayload(id, Negative())),
            _ => BadLength(id),
        };
    }

    private KahunaRequest Negative() => _random.Next(4) switch
    {
        0 => new NextSequenceRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Name = "fuzz/s", Count = -_random.Next(1, int.MaxValue) },
        1 => new TryLockRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Resource = "fuzz/l", Owner = [7], LeaseMs = -_random.NextInt64(1, long.MaxValue), Durability = Durability.Persistent },
        2 => new SetRequest { OperationId = OperationId.Create(Guid.NewGuid(), -5), Key = "fuzz/k", Value = [1], TtlMs = -1, Durability = Durability.Persistent },
        _ => new GetRequest { Key = "fuzz/k", AtRevision = long.MinValue, Durability = (Durability)255 },
    };

    /// <summary>A length header that disagrees with what follows: shorter, zero, or longer than the bytes sent (then the sender closes).</summary>
    private HostileFrame BadLength(ulong id)
    {
        var payload = RawConnection.RequestPayload(id, ValidRequests[0]);
        var frame = new byte[4 + payload.Length];
        payload.CopyTo(frame, 4);
        switch (_random.Next(4))
        {
            case 0: BinaryPrimitives.WriteUInt32BigEndian(frame, 0); return new HostileFrame(FrameKind.BadLength, frame, LeavesStreamIncomplete: true);
            case 1: BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)_random.Next(1, payload.Length)); return new HostileFrame(FrameKind.BadLength, frame, LeavesStreamIncomplete: true);
            case 2: BinaryPrimitives.WriteUInt32BigEndian(frame, uint.MaxValue - (uint)_random.Next(1000)); return new HostileFrame(FrameKind.BadLength, frame, LeavesStreamIncomplete: true);
            default: BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)(payload.Length + _random.Next(1, 100_000))); return new HostileFrame(FrameKind.BadLength, frame, LeavesStreamIncomplete: true);
        }
    }

    private static HostileFrame Framed(FrameKind kind, byte[] payload) => new(kind, RawConnection.Frame(payload), LeavesStreamIncomplete: false);

    private static void WrongTypes(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(4);
        w.Write("not a number");
        w.Write(-1.5);
        w.WriteNil();
        w.Write(true);
    }

    private static void HugeCollection(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(int.MaxValue); // announces 2^31-1 fields, sends one
        w.WriteMapHeader(int.MaxValue);
        w.Write(1);
    }

    private static void InvalidUtf8(ref MessagePackWriter w)
    {
        w.WriteArrayHeader(3);
        w.WriteString(new byte[] { 0xC3, 0x28, 0xFF, 0xFE, 0xED, 0xA0, 0x80 }); // a key that is not UTF-8
        w.Write(0);
        w.Write(1);
    }

    /// <summary>[id, [tag, fields…]] with the fields written by <paramref name="fields"/>.</summary>
    private static byte[] Request(ulong id, int tag, WriteBody fields) => Pack((ref MessagePackWriter w) =>
    {
        w.WriteArrayHeader(2);
        w.Write(id);
        w.WriteArrayHeader(2);
        w.Write(tag);
        fields(ref w);
    });

    private static byte[] Pack(WriteBody body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        body(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private delegate void WriteBody(ref MessagePackWriter writer);

    private static byte[] DeepNesting(ulong id, int depth)
    {
        // [id, [21, [[[[…]]]]]]: fixarray headers of one element, nested depth times, then nil.
        var head = Pack((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(id); w.WriteArrayHeader(2); w.Write(21); });
        var bytes = new byte[head.Length + depth + 1];
        head.CopyTo(bytes, 0);
        bytes.AsSpan(head.Length, depth).Fill(0x91);
        bytes[^1] = 0xC0;
        return bytes;
    }

    private byte[] Mutate(byte[] valid)
    {
        var copy = valid.ToList();
        for (int i = 0, edits = 1 + _random.Next(4); i < edits && copy.Count > 0; i++)
        {
            int at = _random.Next(copy.Count);
            switch (_random.Next(4))
            {
                case 0: copy[at] = (byte)_random.Next(256); break;
                case 1: copy[at] ^= (byte)(1 << _random.Next(8)); break;
                case 2: copy.RemoveRange(at, Math.Min(copy.Count - at, 1 + _random.Next(8))); break;
                default: copy.InsertRange(at, Bytes(1 + _random.Next(8))); break;
            }
        }
        return copy.ToArray();
    }

    private byte[] Bytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }
}
