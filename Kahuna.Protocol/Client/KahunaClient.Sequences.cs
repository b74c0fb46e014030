using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Sequences: unique, increasing values per name.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Takes the next <paramref name="count"/> values of the sequence <paramref name="name"/>: the range
    /// <c>[Start, Start + Count)</c>. Values are unique and increase per name; gaps may appear after a fail-over.
    /// </summary>
    /// <param name="name">The sequence's name (at most 4 KiB of UTF-8).</param>
    /// <param name="count">How many values (1 to 1,000,000).</param>
    /// <param name="idempotencyKey">Optional: the same key returns the same range again, even from another client.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<SequenceRange> NextSequenceAsync(string name, int count = 1, string? idempotencyKey = null, CancellationToken cancellationToken = default)
    {
        var request = new NextSequenceRequest { Name = name, Count = count, IdempotencyKey = idempotencyKey };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.Status != KahunaStatus.Ok)
            throw new KahunaException(KahunaStatus.ProtocolError, $"unexpected status {response.Status} for NextSequence: {response.Message}");
        var typed = As<NextSequenceResponse>(response)!;
        return new SequenceRange(typed.Start, typed.Count);
    }
}
