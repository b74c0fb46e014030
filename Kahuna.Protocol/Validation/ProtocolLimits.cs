namespace Kahuna.Protocol;

/// <summary>
/// The sizes and ranges every request must respect. The client checks them before sending and the
/// server again on receipt (see <see cref="Validation.RequestValidator"/>), so a bad request fails
/// fast on the client and can never reach a partition from a hostile one.
/// The frame size and the in-flight limit are only defaults: a server may be configured otherwise.
/// </summary>
public static class ProtocolLimits
{
    /// <summary>Bytes of the big-endian length that precedes every frame's payload.</summary>
    public const int FrameHeaderBytes = 4;

    /// <summary>Default largest frame payload a server accepts (2 MiB): room for the largest value plus its key and fields.</summary>
    public const int DefaultMaxFrameBytes = 2 * 1024 * 1024;

    /// <summary>Smallest frame limit a server may be configured with, so a handshake always fits.</summary>
    public const int MinConfigurableFrameBytes = 16 * 1024;

    /// <summary>Default number of requests one connection may have in flight before the server stops reading it.</summary>
    public const int DefaultMaxInFlightPerConnection = 1024;

    /// <summary>Largest key, lock resource or sequence name, in UTF-8 bytes (4 KiB).</summary>
    public const int MaxKeyBytes = 4 * 1024;

    /// <summary>Largest value (and compare value), in bytes (1 MiB).</summary>
    public const int MaxValueBytes = 1024 * 1024;

    /// <summary>Most keys one scan page may ask for.</summary>
    public const int MaxScanLimit = 1000;

    /// <summary>Keys in a scan page when the request does not say.</summary>
    public const int DefaultScanLimit = 100;

    /// <summary>
    /// About how many bytes of keys and values a scan page carries: a page is cut after the key that reaches this, so
    /// it stays under the default frame limit even when its last value is as large as a value may be.
    /// </summary>
    public const int ScanPageBytes = 512 * 1024;

    /// <summary>Most keys one GetMany or DeleteMany may name, or one SetMany write.</summary>
    public const int MaxBatchKeys = 1000;

    /// <summary>
    /// Most UTF-8 bytes the keys of one GetMany, SetMany or DeleteMany may add up to (256 KiB, e.g. 1,000 keys of 256
    /// bytes), so that neither a part forwarded between nodes nor a SetMany's or DeleteMany's log entry grows past what one big set makes.
    /// </summary>
    public const int MaxBatchKeyBytes = 256 * 1024;

    /// <summary>
    /// Most bytes of values one GetMany answer may carry (1.5 MiB): the largest single value and more, yet under the
    /// default frame limit. Beyond it the answer is TooLarge and the caller asks for fewer keys at a time.
    /// </summary>
    public const int MaxBatchResponseBytes = 3 * 512 * 1024;

    /// <summary>Largest lock owner id, in bytes (1 KiB).</summary>
    public const int MaxOwnerBytes = 1024;

    /// <summary>Shortest lock lease, in milliseconds.</summary>
    public const long MinLeaseMs = 1;

    /// <summary>Longest lock lease, in milliseconds (1 hour): a longer lease is a lock that outlives its holder.</summary>
    public const long MaxLeaseMs = 60L * 60 * 1000;

    /// <summary>Longest key time to live, in milliseconds (ten years of 365 days); 0 means no expiry.</summary>
    public const long MaxTtlMs = 3650L * 24 * 60 * 60 * 1000;

    /// <summary>Largest number of values one NextSequence may take.</summary>
    public const int MaxSequenceCount = 1_000_000;

    /// <summary>Largest sequence idempotency key, in UTF-8 bytes.</summary>
    public const int MaxIdempotencyKeyBytes = 1024;

    /// <summary>Largest client name in a handshake, in UTF-8 bytes.</summary>
    public const int MaxClientNameBytes = 256;

    /// <summary>Largest credential in a handshake, in UTF-8 bytes.</summary>
    public const int MaxCredentialBytes = 8 * 1024;
}
