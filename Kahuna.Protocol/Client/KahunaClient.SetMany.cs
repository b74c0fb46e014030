using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Several writes in one request.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Writes several keys in one request, unconditionally, and returns the revision each took, in the order given.
    /// The keys of one partition are written all together or not at all (keys sharing a <c>{hash tag}</c> are in one
    /// partition); keys of different partitions are written by each partition on its own. Retries (on leader changes,
    /// lost connections) reuse the request's operation id, so no key is ever written twice by one call.
    /// </summary>
    /// <param name="items">1 to <see cref="ProtocolLimits.MaxBatchKeys"/> keys and values; the values add up to at most
    /// <see cref="ProtocolLimits.MaxValueBytes"/>.</param>
    /// <param name="ttl">Time to live of every key written; null for none.</param>
    /// <param name="durability">Which keyspace to write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KahunaException">On a fault; some partitions' keys may then be written and others not.</exception>
    public async Task<IReadOnlyList<long>> SetManyAsync(IEnumerable<KeyValuePair<string, byte[]>> items, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        if (items is null)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(items)}: must not be null");
        var ttlMs = Ttl(ttl);
        var request = new SetManyRequest
        {
            Items = items.Select(item => new SetManyItem { Key = item.Key, Value = item.Value, TtlMs = ttlMs }).ToArray(),
            Durability = durability,
        };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (As<SetManyResponse>(response) is not { Status: KahunaStatus.Ok } written || (written.Revisions?.Length ?? 0) != request.Items.Length)
            throw new KahunaException(response.Status == KahunaStatus.Ok ? KahunaStatus.ProtocolError : response.Status,
                response.Message ?? $"the node answered {response.Status} without one revision per write");
        return written.Revisions!;
    }

    /// <summary>String form of <see cref="SetManyAsync(IEnumerable{KeyValuePair{string, byte[]}}, TimeSpan?, Durability, CancellationToken)"/>: values stored as UTF-8.</summary>
    /// <param name="items">The keys and their values as text.</param>
    /// <param name="ttl">Time to live of every key written; null for none.</param>
    /// <param name="durability">Which keyspace to write.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<IReadOnlyList<long>> SetManyAsync(IEnumerable<KeyValuePair<string, string>> items, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        items is null
            ? throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(items)}: must not be null")
            : SetManyAsync(items.Select(item => KeyValuePair.Create(item.Key, Utf8(item.Value, "value"))), ttl, durability, cancellationToken);
}
