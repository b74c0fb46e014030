using System.Text;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Key/value: reads, writes, compare-and-set, TTLs. String overloads store UTF-8.
public sealed partial class KahunaClient
{
    /// <summary>Writes <paramref name="value"/> under <paramref name="key"/>, subject to <paramref name="flags"/>.</summary>
    /// <param name="key">The key (at most 4 KiB of UTF-8).</param>
    /// <param name="value">The value (at most 1 MiB).</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="flags">IfNotExists or IfExists; a failed condition is <see cref="SetResult.Succeeded"/> false.</param>
    /// <param name="durability">Persistent (replicated) or ephemeral (leader memory only).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> SetAsync(string key, byte[] value, TimeSpan? ttl = null, SetFlags flags = SetFlags.None,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        SetCoreAsync(new SetRequest { Key = key, Value = value, TtlMs = Ttl(ttl), Flags = flags, Durability = durability }, cancellationToken);

    /// <summary>Writes a string value (stored as UTF-8); see <see cref="SetAsync(string, byte[], TimeSpan?, SetFlags, Durability, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value, stored as UTF-8.</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="flags">IfNotExists or IfExists.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> SetAsync(string key, string value, TimeSpan? ttl = null, SetFlags flags = SetFlags.None,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        SetAsync(key, Utf8(value, nameof(value)), ttl, flags, durability, cancellationToken);

    /// <summary>Writes only if the current value equals <paramref name="expectedValue"/> (compare-and-set by value).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expectedValue">The value the key must hold now.</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> CompareValueAndSetAsync(string key, byte[] value, byte[] expectedValue, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        SetCoreAsync(new SetRequest { Key = key, Value = value, CompareValue = expectedValue, TtlMs = Ttl(ttl), Durability = durability }, cancellationToken);

    /// <summary>String form of <see cref="CompareValueAndSetAsync(string, byte[], byte[], TimeSpan?, Durability, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value, stored as UTF-8.</param>
    /// <param name="expectedValue">The value the key must hold now, as UTF-8.</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> CompareValueAndSetAsync(string key, string value, string expectedValue, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        CompareValueAndSetAsync(key, Utf8(value, nameof(value)), Utf8(expectedValue, nameof(expectedValue)), ttl, durability, cancellationToken);

    /// <summary>Writes only if the key's current revision is <paramref name="expectedRevision"/> (compare-and-set by revision).</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value.</param>
    /// <param name="expectedRevision">The revision the key must have now (revisions start at 1).</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> CompareRevisionAndSetAsync(string key, byte[] value, long expectedRevision, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        SetCoreAsync(new SetRequest { Key = key, Value = value, CompareRevision = expectedRevision, TtlMs = Ttl(ttl), Durability = durability }, cancellationToken);

    /// <summary>String form of <see cref="CompareRevisionAndSetAsync(string, byte[], long, TimeSpan?, Durability, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The new value, stored as UTF-8.</param>
    /// <param name="expectedRevision">The revision the key must have now.</param>
    /// <param name="ttl">Time to live; null for none.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<SetResult> CompareRevisionAndSetAsync(string key, string value, long expectedRevision, TimeSpan? ttl = null,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        CompareRevisionAndSetAsync(key, Utf8(value, nameof(value)), expectedRevision, ttl, durability, cancellationToken);

    /// <summary>Reads the latest value of <paramref name="key"/>; a missing key is <see cref="GetResult.Found"/> false.</summary>
    /// <param name="key">The key.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<GetResult> GetAsync(string key, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        GetCoreAsync(new GetRequest { Key = key, AtRevision = 0, Durability = durability }, cancellationToken);

    /// <summary>Reads <paramref name="key"/> as it was at <paramref name="revision"/> (within the server's retention window).</summary>
    /// <param name="key">The key.</param>
    /// <param name="revision">The revision to read (at least 1).</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<GetResult> GetAtRevisionAsync(string key, long revision, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        if (revision < 1)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(revision)}: revisions start at 1, got {revision}");
        return GetCoreAsync(new GetRequest { Key = key, AtRevision = revision, Durability = durability }, cancellationToken);
    }

    /// <summary>Tells whether <paramref name="key"/> exists, with its revision, without fetching the value.</summary>
    /// <param name="key">The key.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ExistsResult> ExistsAsync(string key, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(new ExistsRequest { Key = key, Durability = durability }, cancellationToken).ConfigureAwait(false);
        var typed = As<ExistsResponse>(response);
        return response.Status == KahunaStatus.Ok
            ? new ExistsResult(true, typed!.Revision, FromUnixMs(typed.ExpiresAtUnixMs))
            : new ExistsResult(false, 0, null);
    }

    /// <summary>Deletes <paramref name="key"/>; a missing key is <see cref="DeleteResult.Deleted"/> false.</summary>
    /// <param name="key">The key.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteResult> DeleteAsync(string key, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(new DeleteRequest { Key = key, Durability = durability }, cancellationToken);

    /// <summary>
    /// Deletes <paramref name="key"/> only if its current value is <paramref name="expectedValue"/> (compare-and-delete):
    /// when another writer changed it meanwhile, <see cref="DeleteResult.Deleted"/> is false and
    /// <see cref="DeleteResult.Revision"/> its current revision (0: the key does not exist).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedValue">The value the key must hold now.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteResult> CompareValueAndDeleteAsync(string key, byte[] expectedValue, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default) =>
        expectedValue is null
            ? throw new KahunaException(KahunaStatus.InvalidInput, $"{nameof(expectedValue)}: must not be null")
            : DeleteCoreAsync(new DeleteRequest { Key = key, CompareValue = expectedValue, Durability = durability }, cancellationToken);

    /// <summary>String form of <see cref="CompareValueAndDeleteAsync(string, byte[], Durability, CancellationToken)"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedValue">The value the key must hold now, as UTF-8.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteResult> CompareValueAndDeleteAsync(string key, string expectedValue, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default) =>
        CompareValueAndDeleteAsync(key, Utf8(expectedValue, nameof(expectedValue)), durability, cancellationToken);

    /// <summary>
    /// Deletes <paramref name="key"/> only if its current revision is <paramref name="expectedRevision"/> (compare-and-delete
    /// by revision, e.g. the revision a read returned): otherwise <see cref="DeleteResult.Deleted"/> is false and
    /// <see cref="DeleteResult.Revision"/> the key's current revision (0: the key does not exist).
    /// </summary>
    /// <param name="key">The key.</param>
    /// <param name="expectedRevision">The revision the key must have now (revisions start at 1).</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public Task<DeleteResult> CompareRevisionAndDeleteAsync(string key, long expectedRevision, Durability durability = Durability.Persistent,
        CancellationToken cancellationToken = default) =>
        DeleteCoreAsync(new DeleteRequest { Key = key, CompareRevision = expectedRevision, Durability = durability }, cancellationToken);

    private async Task<DeleteResult> DeleteCoreAsync(DeleteRequest request, CancellationToken cancellationToken)
    {
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<DeleteResponse>(response);
        return new DeleteResult(response.Status == KahunaStatus.Ok, typed?.Revision ?? 0);
    }

    /// <summary>Sets the time to live of <paramref name="key"/> to now + <paramref name="ttl"/> (<see cref="TimeSpan.Zero"/>: never expire).</summary>
    /// <param name="key">The key.</param>
    /// <param name="ttl">The new time to live.</param>
    /// <param name="durability">Where the key lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<ExtendResult> ExtendAsync(string key, TimeSpan ttl, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var request = new ExtendRequest { Key = key, TtlMs = ToWholeMs(ttl, nameof(ttl)), Durability = durability };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<ExtendResponse>(response);
        return response.Status == KahunaStatus.Ok
            ? new ExtendResult(true, typed!.Revision, FromUnixMs(typed.ExpiresAtUnixMs))
            : new ExtendResult(false, 0, null);
    }

    private async Task<SetResult> SetCoreAsync(SetRequest request, CancellationToken cancellationToken)
    {
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<SetResponse>(response);
        return new SetResult(response.Status == KahunaStatus.Ok, typed?.Revision ?? 0);
    }

    private async Task<GetResult> GetCoreAsync(GetRequest request, CancellationToken cancellationToken)
    {
        var response = await ExecuteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<GetResponse>(response);
        return response.Status == KahunaStatus.Ok
            ? new GetResult(true, typed!.Value ?? [], typed.Revision, FromUnixMs(typed.ExpiresAtUnixMs))
            : new GetResult(false, null, 0, null);
    }

    private static long Ttl(TimeSpan? ttl) => ttl is { } span ? ToWholeMs(span, "ttl") : 0;

    private static byte[] Utf8(string value, string name) =>
        value is null ? throw new KahunaException(KahunaStatus.InvalidInput, $"{name}: must not be null") : Encoding.UTF8.GetBytes(value);
}
