using System.Security.Cryptography;

namespace Kahuna.Protocol.Client;

/// <summary>
/// The identity that holds a lock: opaque bytes. Printed and parsed as lower-case hex so it can be
/// passed between commands (for example from <c>kahuna lock</c> to <c>kahuna unlock</c>).
/// </summary>
public readonly struct LockOwner : IEquatable<LockOwner>
{
    private readonly byte[]? _bytes;

    private LockOwner(byte[] bytes) => _bytes = bytes;

    /// <summary>The owner's bytes.</summary>
    public ReadOnlyMemory<byte> Bytes => _bytes;

    /// <summary>True for the default value, which names no owner.</summary>
    public bool IsEmpty => _bytes is null || _bytes.Length == 0;

    /// <summary>A fresh owner of 16 random bytes.</summary>
    public static LockOwner NewRandom() => new(RandomNumberGenerator.GetBytes(16));

    /// <summary>An owner with the given bytes (copied).</summary>
    public static LockOwner FromBytes(ReadOnlySpan<byte> bytes) => new(bytes.ToArray());

    /// <summary>Parses an owner from hex (as printed by <see cref="ToHex"/>).</summary>
    public static LockOwner FromHex(string hex) => new(Convert.FromHexString(hex));

    /// <summary>The owner as lower-case hex.</summary>
    public string ToHex() => _bytes is null ? "" : Convert.ToHexStringLower(_bytes);

    /// <summary>A copy of the bytes, for the wire.</summary>
    internal byte[] ToArray() => _bytes is null ? [] : (byte[])_bytes.Clone();

    /// <inheritdoc />
    public override string ToString() => ToHex();

    /// <inheritdoc />
    public bool Equals(LockOwner other) => Bytes.Span.SequenceEqual(other.Bytes.Span);

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is LockOwner other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(Bytes.Span);
        return hash.ToHashCode();
    }

    /// <summary>Owners are equal when their bytes are.</summary>
    public static bool operator ==(LockOwner left, LockOwner right) => left.Equals(right);

    /// <summary>Owners differ when their bytes do.</summary>
    public static bool operator !=(LockOwner left, LockOwner right) => !left.Equals(right);
}
