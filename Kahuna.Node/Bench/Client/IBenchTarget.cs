using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// The operations a benchmark worker performs, one logical operation per call. Normal negative answers (absent
/// key, busy lock) are return values; anything else that goes wrong throws, and the runner classifies the
/// exception (<see cref="BenchErrors"/>). The real target wraps <see cref="KahunaClient"/>; tests use fakes.
/// </summary>
public interface IBenchTarget
{
    /// <summary>Writes (upserts) a value.</summary>
    Task SetAsync(string key, byte[] value, CancellationToken cancellationToken);

    /// <summary>Reads a key; false when it does not exist (a miss).</summary>
    Task<bool> GetAsync(string key, CancellationToken cancellationToken);

    /// <summary>Writes (upserts) one value under every key, in one request.</summary>
    Task SetManyAsync(IReadOnlyList<string> keys, byte[] value, CancellationToken cancellationToken);

    /// <summary>Reads every key in one request; returns how many exist (fewer than asked is a miss).</summary>
    Task<int> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken);

    /// <summary>One attempt to take the lock for <paramref name="owner"/>; false when another owner holds it (a miss).</summary>
    Task<bool> TryLockAsync(string name, LockOwner owner, TimeSpan lease, CancellationToken cancellationToken);

    /// <summary>Releases a lock taken by <see cref="TryLockAsync"/>; throws when it was not held any more.</summary>
    Task UnlockAsync(string name, LockOwner owner, CancellationToken cancellationToken);

    /// <summary>The next <paramref name="count"/> values of a shared sequence; returns the first.</summary>
    Task<long> NextSequenceAsync(string name, int count, CancellationToken cancellationToken);
}

/// <summary>
/// An answer that is neither a success nor a miss, although the server gave it as a normal outcome (for example
/// an unlock that finds the lock no longer held). <see cref="Category"/> is how the report counts it.
/// </summary>
public sealed class UnexpectedOutcomeException(string category, string message) : Exception(message)
{
    public string Category { get; } = category;
}
