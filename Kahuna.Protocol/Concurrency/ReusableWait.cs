using System.Threading.Tasks.Sources;

namespace Kahuna.Protocol.Concurrency;

/// <summary>Where a <see cref="ReusableWait{T}"/> goes back once its result has been read.</summary>
internal interface IReusableWaitOwner
{
    void Return(int index);
}

/// <summary>
/// One reusable wait for an answer, awaited as a <see cref="ValueTask{TResult}"/> exactly once per use; reading the
/// result hands it back to its owner. Used where every request used to allocate a completion source, its task and a
/// table entry: the client's requests per connection, and the node router's attempts.
/// <para>
/// Each use has an id that names the wait (its index in the owner's table) and its use count, so whoever completes
/// a use (answer, deadline, cancellation, failure) does so by a compare-and-swap on that id, and an answer that comes
/// after its caller gave up can never complete the next use.
/// </para>
/// </summary>
internal sealed class ReusableWait<T>(IReusableWaitOwner owner, int index, ulong tableSize) : IValueTaskSource<T>
{
    private ManualResetValueTaskSourceCore<T> _core = new() { RunContinuationsAsynchronously = true };
    private long _waitingId;
    private ulong _uses;
    private CancellationTokenRegistration _registration;
    // Uses wrap here, so every id stays below 2^63 (the router's correlation ids travel as a long).
    private readonly ulong _useLimit = (ulong)long.MaxValue / tableSize;

    /// <summary>The id whose answer this wait expects; 0 when none (free, or completed and not yet read).</summary>
    public ulong WaitingId => (ulong)Volatile.Read(ref _waitingId);

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp after which a sweep gives the use up.</summary>
    public long Deadline { get; private set; }

    /// <summary>The table slot an id names, for tables of <paramref name="tableSize"/> waits (ids are never 0).</summary>
    public static int IndexOf(ulong id, ulong tableSize) => (int)((id - 1) % tableSize);

    /// <summary>Starts a use: returns the id to send the request under.</summary>
    public ulong Arm(long deadline)
    {
        Deadline = deadline;
        if (++_uses == _useLimit)
            _uses = 0;
        ulong id = _uses * tableSize + (ulong)index + 1;
        // A full fence: callers read a failure flag right after, and whoever fails everything reads this the other way.
        Interlocked.Exchange(ref _waitingId, (long)id);
        return id;
    }

    /// <summary>Fails the use with cancellation when <paramref name="cancellationToken"/> fires.</summary>
    public void CancelWith(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
            return;
        _registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var wait = (ReusableWait<T>)state!;
            ulong id = wait.WaitingId;
            if (id != 0)
                wait.TryComplete(id, default, new OperationCanceledException(token));
        }, this);
    }

    public ValueTask<T> AsValueTask() => new(this, _core.Version);

    /// <summary>Completes the use <paramref name="id"/> if it still waits here: with the answer, or with the error.</summary>
    public bool TryComplete(ulong id, T? result, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _waitingId, 0, (long)id) != (long)id)
            return false;
        if (error is null)
            _core.SetResult(result!);
        else
            _core.SetException(error);
        return true;
    }

    public T GetResult(short token)
    {
        if (token != _core.Version)
            return _core.GetResult(token); // throws: a stale await, which must not hand the wait back a second time
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Waits for a cancellation callback that is running, so none can touch the next use.
            _registration.Dispose();
            _registration = default;
            _core.Reset();
            owner.Return(index);
        }
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
