using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

/// <summary>
/// A lock acquired (or not) by <see cref="KahunaClient.AcquireLockAsync"/>. Disposing it releases the lock
/// if it is still held; disposal never throws, even when the network is down (the lease then simply
/// expires on the server).
/// </summary>
public sealed class KahunaLock : IAsyncDisposable
{
    private readonly KahunaClient _client;
    private int _held;

    internal KahunaLock(KahunaClient client, string resource, LockOwner owner, Durability durability, LockAcquireResult acquisition)
    {
        _client = client;
        Resource = resource;
        Owner = owner;
        Durability = durability;
        FencingToken = acquisition.FencingToken;
        ExpiresAt = acquisition.ExpiresAt;
        _held = acquisition.Acquired ? 1 : 0;
    }

    /// <summary>The lock's name.</summary>
    public string Resource { get; }

    /// <summary>The owner this handle acts as.</summary>
    public LockOwner Owner { get; }

    /// <summary>The owner as hex, to hand to another process or command (see <see cref="LockOwner.FromHex"/>).</summary>
    public string OwnerHex => Owner.ToHex();

    /// <summary>Where the lock lives.</summary>
    public Durability Durability { get; }

    /// <summary>
    /// True while this handle believes it holds the lock: acquired, not released, and not found lost by an
    /// extend. The lease can still run out on the server; extend before <see cref="ExpiresAt"/>.
    /// </summary>
    public bool IsAcquired => Volatile.Read(ref _held) == 1;

    /// <summary>The fencing token of the grant (0 when not acquired).</summary>
    public long FencingToken { get; private set; }

    /// <summary>When the lease ends, as last reported by the server.</summary>
    public DateTimeOffset? ExpiresAt { get; private set; }

    /// <summary>
    /// Extends the lease to now + <paramref name="lease"/>. Returns false when the lock was lost (expired or
    /// taken by another owner); the handle then no longer counts as acquired.
    /// </summary>
    public async Task<bool> ExtendAsync(TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (!IsAcquired)
            return false;
        var result = await _client.ExtendLockAsync(Resource, Owner, lease, Durability, cancellationToken).ConfigureAwait(false);
        if (!result.Extended)
        {
            Volatile.Write(ref _held, 0);
            return false;
        }
        FencingToken = result.FencingToken;
        ExpiresAt = result.ExpiresAt;
        return true;
    }

    /// <summary>Releases the lock. Returns true when it was held by this owner and is now free.</summary>
    public async Task<bool> ReleaseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _held, 0) == 0)
            return false;
        try
        {
            var result = await _client.UnlockAsync(Resource, Owner, Durability, cancellationToken).ConfigureAwait(false);
            return result.Released;
        }
        catch
        {
            // Not known to be released: let a later release (or dispose) try again.
            Volatile.Write(ref _held, 1);
            throw;
        }
    }

    /// <summary>Releases the lock if still held. Best effort: never throws.</summary>
    public async ValueTask DisposeAsync()
    {
        if (!IsAcquired)
            return;
        try
        {
            await ReleaseAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The lease expires on its own; a dispose must not fail the caller's using block.
        }
        Volatile.Write(ref _held, 0);
    }
}
