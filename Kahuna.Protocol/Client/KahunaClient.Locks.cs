using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client;

// Locks: the raw operations and the handle that releases on dispose.
public sealed partial class KahunaClient
{
    /// <summary>
    /// Makes one attempt to acquire <paramref name="resource"/> for <paramref name="owner"/>. A lock held by
    /// another owner is a result (<see cref="LockAcquireResult.Acquired"/> false), not an exception. The same
    /// owner asking again while it holds the lock gets the same fencing token.
    /// </summary>
    /// <param name="resource">The lock's name (at most 4 KiB of UTF-8).</param>
    /// <param name="owner">Who takes it (1 byte to 1 KiB).</param>
    /// <param name="lease">How long the lock is held unless extended (1 ms to 1 hour).</param>
    /// <param name="durability">Persistent (replicated) or ephemeral (leader memory only).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<LockAcquireResult> TryLockAsync(string resource, LockOwner owner, TimeSpan lease,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var request = new TryLockRequest { Resource = resource, Owner = owner.ToArray(), LeaseMs = ToWholeMs(lease, nameof(lease)), Durability = durability };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<TryLockResponse>(response);
        return response.Status == KahunaStatus.Ok
            ? new LockAcquireResult(true, typed!.FencingToken, FromUnixMs(typed.ExpiresAtUnixMs), owner)
            : new LockAcquireResult(false, 0, null, owner);
    }

    /// <summary>Pushes the lease of a lock held by <paramref name="owner"/> to now + <paramref name="lease"/>.</summary>
    /// <param name="resource">The lock's name.</param>
    /// <param name="owner">The owner that holds it.</param>
    /// <param name="lease">The new lease, counted from now.</param>
    /// <param name="durability">Where the lock lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<LockExtendResult> ExtendLockAsync(string resource, LockOwner owner, TimeSpan lease,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var request = new ExtendLockRequest { Resource = resource, Owner = owner.ToArray(), LeaseMs = ToWholeMs(lease, nameof(lease)), Durability = durability };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        var typed = As<ExtendLockResponse>(response);
        return new LockExtendResult(response.Status, typed?.FencingToken ?? 0, FromUnixMs(typed?.ExpiresAtUnixMs ?? 0));
    }

    /// <summary>Releases a lock held by <paramref name="owner"/>; NotFound and NotOwner are results.</summary>
    /// <param name="resource">The lock's name.</param>
    /// <param name="owner">The owner that holds it.</param>
    /// <param name="durability">Where the lock lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<LockReleaseResult> UnlockAsync(string resource, LockOwner owner,
        Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var request = new UnlockRequest { Resource = resource, Owner = owner.ToArray(), Durability = durability };
        var response = await ExecuteWriteAsync(request, cancellationToken).ConfigureAwait(false);
        As<UnlockResponse>(response);
        return new LockReleaseResult(response.Status);
    }

    /// <summary>Reads who holds <paramref name="resource"/>, until when, and its fencing token.</summary>
    /// <param name="resource">The lock's name.</param>
    /// <param name="durability">Where the lock lives.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<LockInfo> GetLockAsync(string resource, Durability durability = Durability.Persistent, CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(new GetLockRequest { Resource = resource, Durability = durability }, cancellationToken).ConfigureAwait(false);
        var typed = As<GetLockResponse>(response);
        return response.Status == KahunaStatus.Ok
            ? new LockInfo(true, LockOwner.FromBytes(typed!.Owner ?? []), FromUnixMs(typed.ExpiresAtUnixMs), typed.FencingToken)
            : new LockInfo(false, default, null, 0);
    }

    /// <summary>
    /// Acquires <paramref name="resource"/> and returns a handle that releases it when disposed:
    /// <c>await using var l = await client.AcquireLockAsync("res", TimeSpan.FromSeconds(10), wait: TimeSpan.FromSeconds(5));</c>.
    /// While the lock is busy it tries again every <see cref="KahunaClientOptions.LockRetryInterval"/> until
    /// <paramref name="wait"/> has passed; then the handle has <see cref="KahunaLock.IsAcquired"/> false.
    /// </summary>
    /// <param name="resource">The lock's name.</param>
    /// <param name="lease">How long the lock is held unless extended.</param>
    /// <param name="wait">How long to keep trying while the lock is busy (null or zero: one attempt).</param>
    /// <param name="durability">Where the lock lives.</param>
    /// <param name="owner">Who takes it; a fresh random owner when null.</param>
    /// <param name="cancellationToken">Cancels the call (and the waiting).</param>
    public async Task<KahunaLock> AcquireLockAsync(string resource, TimeSpan lease, TimeSpan? wait = null,
        Durability durability = Durability.Persistent, LockOwner? owner = null, CancellationToken cancellationToken = default)
    {
        var who = owner is { IsEmpty: false } given ? given : LockOwner.NewRandom();
        long waitUntil = Environment.TickCount64 + (long)Math.Max(0, (wait ?? TimeSpan.Zero).TotalMilliseconds);
        while (true)
        {
            var attempt = await TryLockAsync(resource, who, lease, durability, cancellationToken).ConfigureAwait(false);
            long remaining = waitUntil - Environment.TickCount64;
            if (attempt.Acquired || remaining <= 0)
                return new KahunaLock(this, resource, who, durability, attempt);
            double interval = Options.LockRetryInterval.TotalMilliseconds * (0.75 + Random.Shared.NextDouble() * 0.5);
            await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(interval, remaining)), cancellationToken).ConfigureAwait(false);
        }
    }
}
