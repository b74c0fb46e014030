using System.Collections.Concurrent;
using Kahuna.Node.Bench.Client;
using Kahuna.Protocol.Client;

namespace Kahuna.Tests.Bench;

/// <summary>
/// A scripted <see cref="IBenchTarget"/>: every call yields once (so workers interleave like real I/O) and then
/// does what the test set up. It records what it was asked, so tests can compare the runner's counts with the truth.
/// </summary>
internal sealed class FakeBenchTarget : IBenchTarget
{
    private long _sequence;

    public ConcurrentDictionary<string, int> Sets { get; } = new();
    public ConcurrentQueue<string> SetOrder { get; } = new();

    /// <summary>Decides a get: true = found, false = miss; may throw.</summary>
    public Func<string, bool> Get { get; init; } = _ => true;

    /// <summary>Decides a set (after it is recorded): may throw.</summary>
    public Action<string> Set { get; init; } = _ => { };

    /// <summary>Decides a try-lock: true = acquired, false = busy; may throw.</summary>
    public Func<string, bool> TryLock { get; init; } = _ => true;

    /// <summary>Next sequence value from the previous one handed out (by default +1).</summary>
    public Func<long, long> NextSequence { get; init; } = previous => previous + 1;

    /// <summary>When true every get waits until its token fires (a server that never answers).</summary>
    public bool GetsHang { get; init; }

    /// <summary>
    /// Fired once when <see cref="StopAfterCalls"/> measured operations have started (gets, try-locks, sequence
    /// calls, and sets when <see cref="CountSets"/>): tests end runs by a count, not by a clock.
    /// </summary>
    public CancellationTokenSource Stop { get; } = new();

    public int StopAfterCalls { get; init; } = int.MaxValue;

    /// <summary>Count sets towards <see cref="StopAfterCalls"/> (off when seeding writes the key space).</summary>
    public bool CountSets { get; init; } = true;

    private int _calls;

    private void Called()
    {
        if (Interlocked.Increment(ref _calls) == StopAfterCalls)
            Stop.Cancel();
    }

    public long Unlocks;
    public long SequenceRegressions;

    public async Task SetAsync(string key, byte[] value, CancellationToken cancellationToken)
    {
        if (CountSets)
            Called();
        await Task.Yield();
        Sets.AddOrUpdate(key, 1, (_, n) => n + 1);
        SetOrder.Enqueue(key);
        Set(key);
    }

    public async Task<bool> GetAsync(string key, CancellationToken cancellationToken)
    {
        Called();
        await Task.Yield();
        if (GetsHang)
            await Task.Delay(Timeout.Infinite, cancellationToken);
        return Get(key);
    }

    /// <summary>The size of every batched call (SetMany / GetMany), in the order made.</summary>
    public ConcurrentQueue<int> Batches { get; } = new();

    public async Task SetManyAsync(IReadOnlyList<string> keys, byte[] value, CancellationToken cancellationToken)
    {
        Called();
        await Task.Yield();
        Batches.Enqueue(keys.Count);
        foreach (var key in keys)
        {
            Sets.AddOrUpdate(key, 1, (_, n) => n + 1);
            SetOrder.Enqueue(key);
            Set(key);
        }
    }

    public async Task<int> GetManyAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken)
    {
        Called();
        await Task.Yield();
        Batches.Enqueue(keys.Count);
        return keys.Count(Get);
    }

    public async Task<bool> TryLockAsync(string name, LockOwner owner, TimeSpan lease, CancellationToken cancellationToken)
    {
        Called();
        await Task.Yield();
        return TryLock(name);
    }

    public async Task UnlockAsync(string name, LockOwner owner, CancellationToken cancellationToken)
    {
        await Task.Yield();
        Interlocked.Increment(ref Unlocks);
    }

    public async Task<long> NextSequenceAsync(string name, int count, CancellationToken cancellationToken)
    {
        Called();
        await Task.Yield();
        lock (this)
        {
            long previous = _sequence;
            _sequence = NextSequence(previous);
            if (_sequence <= previous)
                SequenceRegressions++;
            return _sequence;
        }
    }
}
