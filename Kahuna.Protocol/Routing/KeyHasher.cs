using System.Text;

namespace Kahuna.Protocol.Routing;

/// <summary>
/// Maps a key to its 64-bit position on the hash ring. If the key contains "{…}" with something inside the first
/// such braces, only that text is hashed (the Redis Cluster convention), so "{user:1}:cart" and "{user:1}:orders"
/// land in the same partition. The function is part of the on-disk format (it decides where data lives): never change it.
/// </summary>
public static class KeyHasher
{
    /// <summary>The 64-bit position of a key on the ring (hash of its {tag} when it has one).</summary>
    public static ulong Hash(string key)
    {
        var part = HashTag(key);
        Span<byte> stack = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(part.Length);
        var bytes = max <= stack.Length ? stack : new byte[max];
        var n = Encoding.UTF8.GetBytes(part, bytes);
        return Hash(bytes[..n]);
    }

    /// <summary>FNV-1a over the bytes, then the SplitMix64 finalizer so nearby keys spread over the whole ring.</summary>
    public static ulong Hash(ReadOnlySpan<byte> bytes)
    {
        var h = 14695981039346656037UL;
        foreach (var b in bytes) h = (h ^ b) * 1099511628211UL;
        h ^= h >> 30;
        h *= 0xbf58476d1ce4e5b9UL;
        h ^= h >> 27;
        h *= 0x94d049bb133111ebUL;
        h ^= h >> 31;
        return h;
    }

    /// <summary>
    /// Whether <paramref name="prefix"/> holds a whole non-empty <c>{…}</c> before any other brace pair: then every key
    /// that starts with it has that hash tag, so all of them live in one partition.
    /// </summary>
    public static bool HasWholeHashTag(string prefix) => HashTag(prefix).Length < prefix.Length;

    /// <summary>The part of the key that is hashed: the text inside the first non-empty "{…}", else the whole key.</summary>
    public static ReadOnlySpan<char> HashTag(string key)
    {
        var open = key.IndexOf('{');
        if (open < 0) return key;
        var close = key.IndexOf('}', open + 1);
        if (close <= open + 1) return key;
        return key.AsSpan(open + 1, close - open - 1);
    }
}
