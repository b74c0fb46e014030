using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Several keys in one request.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Reads several keys in one request: one answer per key, in the order given (a missing key is
    /// <see cref="GetResult.Found"/> false). The node asks each partition concerned once; each partition's keys are read
    /// together in one linearizable read (persistent), keys of different partitions at about the same time.
    /// </summary>
    /// <param name="keys">1 to <see cref="ProtocolLimits.MaxBatchKeys"/> keys.</param>
    /// <param name="durability">Which keyspace to read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <exception cref="KahunaException">TooLarge when the values add up to more than
    /// <see cref="ProtocolLimits.MaxBatchResponseBytes"/>: ask for fewer keys at a time.</exception>
    public async Task<IReadOnlyList<GetResult>> GetManyAsync(IReadOnlyList<string> keys, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default)
    {
        if (keys is null)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(keys)}: must not be null");
        var request = new GetManyRequest { Keys = keys.ToArray(), Durability = durability };
        var response = await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        if (As<GetManyResponse>(response) is not { } many || (many.Items?.Length ?? 0) != request.Keys.Length)
            throw new KahunaException(response.Status == KahunaStatus.Ok ? KahunaStatus.ProtocolError : response.Status,
                response.Message ?? $"the node answered {response.Status} without one answer per key");
        var results = new GetResult[request.Keys.Length];
        for (var i = 0; i < results.Length; i++)
        {
            var item = many.Items![i];
            results[i] = item.Status == KahunaStatus.Ok
                ? new GetResult(true, item.Value ?? [], item.Revision, FromUnixMs(item.ExpiresAtUnixMs))
                : new GetResult(false, null, 0, null);
        }
        return results;
    }
}
