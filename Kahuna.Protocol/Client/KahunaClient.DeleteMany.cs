using System.Text;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Several deletes in one request, and every key under a prefix.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Deletes several keys in one request, unconditionally, and tells for each, in the order given, the revision its
    /// deletion was recorded at (0 when it did not exist). The keys of one partition are deleted all together or not
    /// at all (keys sharing a <c>{hash tag}</c> are in one partition); keys of different partitions are deleted by each
    /// partition on its own. Retries (on leader changes, lost connections) reuse the request's operation id, so each
    /// partition answers a retry with what it did the first time and never deletes a key again.
    /// </summary>
    /// <param name="keys">1 to <see cref="ProtocolLimits.MaxBatchKeys"/> keys, adding up to at most
    /// <see cref="ProtocolLimits.MaxBatchKeyBytes"/> of UTF-8. A key listed twice is deleted once (the second is absent).</param>
    /// <param name="durability">Which keyspace to delete from.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KahunaException">On a fault; some partitions' keys may then be deleted and others not.</exception>
    public async Task<DeleteManyResult> DeleteManyAsync(IEnumerable<string> keys, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default)
    {
        if (keys is null)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(keys)}: must not be null");
        var request = new DeleteManyRequest { Keys = keys.ToArray(), Durability = durability };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (As<DeleteManyResponse>(response) is not { Status: KahunaStatus.Ok } answer || (answer.Revisions?.Length ?? 0) != request.Keys.Length)
            throw new KahunaException(response.Status == KahunaStatus.Ok ? KahunaStatus.ProtocolError : response.Status,
                response.Message ?? $"the node answered {response.Status} without one revision per key");
        var deleted = 0;
        foreach (var revision in answer.Revisions!)
            if (revision > 0) deleted++;
        return new DeleteManyResult(deleted, answer.Revisions);
    }

    /// <summary>
    /// Deletes every key that starts with <paramref name="prefix"/>: scans the keys page by page and deletes each
    /// page's keys with <see cref="DeleteManyAsync"/>. Returns how many keys this call deleted.
    /// </summary>
    /// <param name="prefix">A non-empty prefix. With a whole <c>{hash tag}</c> in it, one partition does all the work.</param>
    /// <param name="durability">Which keyspace to delete from.</param>
    /// <param name="cancellationToken">Cancels the call; the keys of the pages done so far stay deleted.</param>
    /// <remarks>
    /// Not atomic: pages are deleted one after another, each page's keys all or none per partition. Every key under the
    /// prefix that exists from the start of the call until the scan reaches it is deleted. A key created under the
    /// prefix after the scan passed its place may remain; run the call again to delete it. On a fault the pages already
    /// done stay deleted, and calling again finishes the rest. The scan reads keys only (<see cref="ScanKeysAsync"/>).
    /// </remarks>
    /// <exception cref="KahunaException">InvalidInput for an empty prefix: it would delete every key.</exception>
    public Task<long> DeleteByPrefixAsync(string prefix, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default)
    {
        if (prefix is null)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(prefix)}: must not be null");
        if (prefix.Length == 0)
            throw new KahunaException(KahunaStatus.InvalidInput,
                $"{nameof(prefix)}: an empty prefix would delete every key; name a prefix, or call {nameof(DeleteAllKeysAsync)} to delete every key on purpose");
        return DeleteUnderPrefixAsync(prefix, durability, cancellationToken);
    }

    /// <summary>
    /// Deletes every key of the keyspace, the way <see cref="DeleteByPrefixAsync"/> deletes those under a prefix (and
    /// with the same guarantees: not atomic, page by page). A method of its own so that an empty prefix variable never
    /// wipes a keyspace by accident. Returns how many keys this call deleted.
    /// </summary>
    /// <param name="durability">Which keyspace to empty.</param>
    /// <param name="cancellationToken">Cancels the call; the keys of the pages done so far stay deleted.</param>
    public Task<long> DeleteAllKeysAsync(Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        DeleteUnderPrefixAsync("", durability, cancellationToken);

    private async Task<long> DeleteUnderPrefixAsync(string prefix, Durability durability, CancellationToken cancellationToken)
    {
        long deleted = 0;
        var batch = new List<string>(ProtocolLimits.MaxScanLimit);
        var batchBytes = 0;
        string? after = null;
        do
        {
            // The next page starts after this one's last key, so the tombstones just written are not looked at again.
            var page = await ScanKeysAsync(prefix, after, ProtocolLimits.MaxScanLimit, durability, cancellationToken).ConfigureAwait(false);
            foreach (var entry in page.Entries)
            {
                // A page's keys may add up to more than one batch may carry (pages are cut by size at 512 KiB).
                var keyBytes = Encoding.UTF8.GetByteCount(entry.Key);
                if (batch.Count == ProtocolLimits.MaxBatchKeys || batchBytes + keyBytes > ProtocolLimits.MaxBatchKeyBytes)
                    await FlushAsync().ConfigureAwait(false);
                batch.Add(entry.Key);
                batchBytes += keyBytes;
            }
            if (batch.Count > 0)
                await FlushAsync().ConfigureAwait(false);
            after = page.NextStartAfter;
        }
        while (after is not null);
        return deleted;

        async Task FlushAsync()
        {
            deleted += (await DeleteManyAsync(batch, durability, cancellationToken).ConfigureAwait(false)).Deleted;
            batch.Clear();
            batchBytes = 0;
        }
    }
}
