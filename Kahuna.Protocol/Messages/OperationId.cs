using System.Buffers.Binary;
using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Names one logical write of one client: the client's id (a GUID carried as two 64-bit halves, which
/// is 18 bytes on the wire instead of a 38-byte string) and a sequence the client allocates per
/// operation. Retries reuse it, so the server can apply the operation at most once.
/// </summary>
[MessagePackObject]
public readonly record struct OperationId
{
    /// <summary>High 64 bits of the client id.</summary>
    [Key(0)]
    public long ClientHigh { get; init; }

    /// <summary>Low 64 bits of the client id.</summary>
    [Key(1)]
    public long ClientLow { get; init; }

    /// <summary>The client's sequence number for this operation (starts at 1, increases).</summary>
    [Key(2)]
    public long Sequence { get; init; }

    /// <summary>True for the default value, which no client sends (a write without an id is rejected).</summary>
    [IgnoreMember]
    public bool IsEmpty => ClientHigh == 0 && ClientLow == 0;

    /// <summary>The client id as a GUID.</summary>
    [IgnoreMember]
    public Guid ClientId
    {
        get
        {
            Span<byte> bytes = stackalloc byte[16];
            BinaryPrimitives.WriteInt64BigEndian(bytes, ClientHigh);
            BinaryPrimitives.WriteInt64BigEndian(bytes[8..], ClientLow);
            return new Guid(bytes, bigEndian: true);
        }
    }

    /// <summary>Builds an operation id from a client GUID and a sequence number.</summary>
    public static OperationId Create(Guid clientId, long sequence)
    {
        Span<byte> bytes = stackalloc byte[16];
        clientId.TryWriteBytes(bytes, bigEndian: true, out _);
        return new OperationId
        {
            ClientHigh = BinaryPrimitives.ReadInt64BigEndian(bytes),
            ClientLow = BinaryPrimitives.ReadInt64BigEndian(bytes[8..]),
            Sequence = sequence,
        };
    }

    /// <inheritdoc />
    public override string ToString() => $"{ClientId:N}/{Sequence}";
}
