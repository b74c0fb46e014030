using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Client;

/// <summary>The benchmark operations through the real client, in one durability (sequences are always persistent).</summary>
public sealed class KahunaBenchTarget(KahunaClient client, Durability durability) : IBenchTarget
{
    public async Task SetAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        var result = await client.SetAsync(key, value, durability: durability, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (!result.Succeeded)
            throw new UnexpectedOutcomeException("set:PreconditionFailed", $"an unconditional set of {key} did not succeed");
    }

    public async Task<bool> GetAsync(string key, CancellationToken cancellationToken) =>
        (await client.GetAsync(key, durability, cancellationToken).ConfigureAwait(false)).Found;

    public async Task SetManyAsync(IReadOnlyList<string> keys, byte[] value, CancellationToken cancellationToken)
    {
        var items = new KeyValuePair<string, byte[]>[keys.Count];
        for (var i = 0; i < items.Length; i++) items[i] = KeyValuePair.Create(keys[i], value);
        await client.SetManyAsync(items, durability: durability, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    public async Task<int> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken) =>
        (await client.GetManyAsync(keys, durability, cancellationToken).ConfigureAwait(false)).Count(r => r.Found);

    public async Task<bool> TryLockAsync(string name, LockOwner owner, TimeSpan lease, CancellationToken cancellationToken) =>
        (await client.TryLockAsync(name, owner, lease, durability, cancellationToken).ConfigureAwait(false)).Acquired;

    public async Task UnlockAsync(string name, LockOwner owner, CancellationToken cancellationToken)
    {
        var result = await client.UnlockAsync(name, owner, durability, cancellationToken).ConfigureAwait(false);
        // The lease is far longer than an operation, so a lock we just took must still be ours.
        if (!result.Released)
            throw new UnexpectedOutcomeException($"unlock:{result.Status}", $"the lock {name} was not held any more when released");
    }

    public async Task<long> NextSequenceAsync(string name, int count, CancellationToken cancellationToken) =>
        (await client.NextSequenceAsync(name, count, cancellationToken: cancellationToken).ConfigureAwait(false)).Start;
}
