using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// One page of the live keys that start with <see cref="Prefix"/>, in ordinal (UTF-16 code unit) order, with their
/// values. Replies <see cref="ScanResponse"/>. To read the next page, send the same request with
/// <see cref="StartAfter"/> set to the response's <see cref="ScanResponse.NextStartAfter"/>.
/// </summary>
/// <remarks>
/// A page is put together from every partition that may hold such keys (only one when the prefix contains a whole
/// <c>{hash tag}</c>). Each partition's part is read as one linearizable read (persistent keys) or from its leader's
/// memory (ephemeral keys); the page as a whole is not a snapshot: a key written while the scan runs may or may not
/// appear, and a later page reads later states. Every key that exists for the whole scan appears exactly once.
/// </remarks>
[MessagePackObject]
public sealed record ScanRequest : KahunaRequest
{
    /// <summary>The prefix keys must start with; empty scans every key (at most <see cref="ProtocolLimits.MaxKeyBytes"/> bytes).</summary>
    [Key(0)]
    public string Prefix { get; init; } = "";

    /// <summary>Only keys after this one (the previous page's <see cref="ScanResponse.NextStartAfter"/>); null starts at the prefix.</summary>
    [Key(1)]
    public string? StartAfter { get; init; }

    /// <summary>Most keys in the page, 1 to <see cref="ProtocolLimits.MaxScanLimit"/>; 0 means <see cref="ProtocolLimits.DefaultScanLimit"/>.</summary>
    [Key(2)]
    public int Limit { get; init; }

    /// <summary>Which keyspace to scan; must be set.</summary>
    [Key(3)]
    public Durability Durability { get; init; }

    /// <summary>
    /// True to leave the values out (each item's <see cref="ScanItem.Value"/> is then empty): a page then holds up to
    /// <see cref="Limit"/> keys whatever their values' size, and no value crosses the network. Absent (false) in requests
    /// of clients older than this field, which a server reads as a scan with values.
    /// </summary>
    [Key(4)]
    public bool KeysOnly { get; init; }

    /// <summary>The page size this request asks for, with the default applied.</summary>
    [IgnoreMember]
    public int EffectiveLimit => Limit == 0 ? ProtocolLimits.DefaultScanLimit : Limit;
}

/// <summary>
/// Ok with the page's keys in order. A page can hold fewer keys than asked for and still not be the last: it is
/// also cut at about <see cref="ProtocolLimits.ScanPageBytes"/> of keys and values. <see cref="NextStartAfter"/> is
/// null only when the scan is complete.
/// </summary>
[MessagePackObject]
public sealed record ScanResponse : KahunaResponse
{
    /// <summary>The keys found, in ordinal order.</summary>
    [Key(2)]
    public ScanItem[] Items { get; init; } = [];

    /// <summary>Where the next page starts (the last key of this one); null when no key is left.</summary>
    [Key(3)]
    public string? NextStartAfter { get; init; }
}

/// <summary>A key found by a scan, with its current value, revision and expiry.</summary>
[MessagePackObject]
public sealed record ScanItem
{
    /// <summary>The key.</summary>
    [Key(0)]
    public string Key { get; init; } = "";

    /// <summary>Its current value (empty when the request asked for <see cref="ScanRequest.KeysOnly"/>).</summary>
    [Key(1)]
    public byte[] Value { get; init; } = [];

    /// <summary>The revision of that value.</summary>
    [Key(2)]
    public long Revision { get; init; }

    /// <summary>When the key expires, in Unix milliseconds; 0 means never.</summary>
    [Key(3)]
    public long ExpiresAtUnixMs { get; init; }
}
