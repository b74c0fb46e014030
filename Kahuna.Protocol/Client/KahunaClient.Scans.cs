using System.Runtime.CompilerServices;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Prefix scans: a page at a time, or every key under a prefix as an async stream.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Reads one page of the live keys starting with <paramref name="prefix"/>, in ordinal order, with their values.
    /// Pass the page's <see cref="ScanResult.NextStartAfter"/> as <paramref name="startAfter"/> to read the next one;
    /// a page may hold fewer than <paramref name="limit"/> keys and still not be the last (pages are also cut by size).
    /// </summary>
    /// <param name="prefix">The prefix (empty: every key). With a whole <c>{hash tag}</c> in it, one partition answers.</param>
    /// <param name="startAfter">Only keys after this one; null starts at the prefix.</param>
    /// <param name="limit">Most keys in the page, 1 to <see cref="ProtocolLimits.MaxScanLimit"/>.</param>
    /// <param name="durability">Which keyspace to scan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <remarks>
    /// Each partition's part is a linearizable read (persistent keys); the page as a whole is not a snapshot, so a key
    /// written during the scan may or may not appear. A key that exists for the whole scan appears exactly once.
    /// </remarks>
    public Task<ScanResult> ScanAsync(string prefix, string? startAfter = null, int limit = ProtocolLimits.DefaultScanLimit,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        ScanCoreAsync(prefix, startAfter, limit, durability, keysOnly: false, cancellationToken);

    /// <summary>
    /// <see cref="ScanAsync"/> without the values: each entry's <see cref="ScanEntry.Value"/> is empty, no value crosses
    /// the network, and a page holds up to <paramref name="limit"/> keys whatever their values' size.
    /// </summary>
    /// <param name="prefix">The prefix (empty: every key).</param>
    /// <param name="startAfter">Only keys after this one; null starts at the prefix.</param>
    /// <param name="limit">Most keys in the page, 1 to <see cref="ProtocolLimits.MaxScanLimit"/>.</param>
    /// <param name="durability">Which keyspace to scan.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<ScanResult> ScanKeysAsync(string prefix, string? startAfter = null, int limit = ProtocolLimits.DefaultScanLimit,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        ScanCoreAsync(prefix, startAfter, limit, durability, keysOnly: true, cancellationToken);

    private async Task<ScanResult> ScanCoreAsync(string prefix, string? startAfter, int limit, Durability durability, bool keysOnly,
        CancellationToken cancellationToken)
    {
        if (limit < 1)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(limit)}: must be between 1 and {ProtocolLimits.MaxScanLimit}, got {limit}");
        var request = new ScanRequest { Prefix = prefix, StartAfter = startAfter, Limit = limit, Durability = durability, KeysOnly = keysOnly };
        var response = await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        if (As<ScanResponse>(response) is not { } page)
            throw new KahunaException(response.Status, response.Message ?? $"the scan was answered {response.Status}");
        var entries = new ScanEntry[page.Items?.Length ?? 0];
        for (var i = 0; i < entries.Length; i++)
        {
            var item = page.Items![i];
            entries[i] = new ScanEntry(item.Key, item.Value ?? [], item.Revision, FromUnixMs(item.ExpiresAtUnixMs));
        }
        return new ScanResult(entries, page.NextStartAfter);
    }

    /// <summary>
    /// Every live key starting with <paramref name="prefix"/>, in ordinal order, read page by page as the caller
    /// consumes them (see <see cref="ScanAsync"/> for what a scan guarantees).
    /// </summary>
    /// <param name="prefix">The prefix (empty: every key).</param>
    /// <param name="durability">Which keyspace to scan.</param>
    /// <param name="pageSize">Keys fetched per request, 1 to <see cref="ProtocolLimits.MaxScanLimit"/>.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    public async IAsyncEnumerable<ScanEntry> ScanAllAsync(string prefix, Durability durability = Durability.Persistent,
        int pageSize = ProtocolLimits.DefaultScanLimit, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string? after = null;
        do
        {
            var page = await ScanAsync(prefix, after, pageSize, durability, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
                yield return entry;
            after = page.NextStartAfter;
        }
        while (after is not null);
    }
}
