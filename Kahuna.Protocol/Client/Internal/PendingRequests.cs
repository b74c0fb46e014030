using System.Collections.Concurrent;
using System.Threading.Tasks.Sources;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// The requests of one connection that wait for their answers: a fixed set of reusable slots, one per request the
/// connection may have in flight, so a call allocates no completion source, task or table entry of its own. A request
/// id names its slot and that slot's use count, so an answer that comes after its caller gave up (deadline,
/// cancellation) can never complete the slot's next request.
/// </summary>
internal sealed class PendingRequests
{
    private readonly PendingSlot[] _slots;
    // Bounds the slots taken; whoever gets past it finds a free index in the queue.
    private readonly SemaphoreSlim _capacity;
    private readonly ConcurrentQueue<int> _free = new();

    public PendingRequests(int capacity)
    {
        _slots = new PendingSlot[capacity];
        for (int i = 0; i < capacity; i++)
        {
            _slots[i] = new PendingSlot(this, i);
            _free.Enqueue(i);
        }
        _capacity = new SemaphoreSlim(capacity, capacity);
    }

    /// <summary>Takes a free slot at once, or says false when all are in flight.</summary>
    public bool TryRent(out PendingSlot slot)
    {
        if (!_capacity.Wait(0))
        {
            slot = null!;
            return false;
        }
        slot = Take();
        return true;
    }

    /// <summary>Waits up to <paramref name="wait"/> for a free slot; null when none came in time.</summary>
    public async Task<PendingSlot?> RentAsync(TimeSpan wait, CancellationToken cancellationToken) =>
        await _capacity.WaitAsync(wait, cancellationToken).ConfigureAwait(false) ? Take() : null;

    /// <summary>Completes the request <paramref name="id"/> with its answer; false when it no longer waits.</summary>
    public bool TryComplete(ulong id, KahunaResponse response) =>
        SlotOf(id) is { } slot && slot.TryComplete(id, response, null);

    /// <summary>Fails every waiting request with <paramref name="error"/>.</summary>
    public void FailAll(Exception error)
    {
        foreach (var slot in _slots)
        {
            ulong id = slot.WaitingId;
            if (id != 0)
                slot.TryComplete(id, null, error);
        }
    }

    /// <summary>Fails the requests whose deadline is at or before <paramref name="now"/>; says whether any still waits.</summary>
    public bool ExpireOverdue(long now)
    {
        bool anyWaiting = false;
        foreach (var slot in _slots)
        {
            ulong id = slot.WaitingId;
            if (id == 0)
                continue;
            if (slot.Deadline <= now)
                slot.TryComplete(id, null, new RequestDeadlineExceededException());
            else
                anyWaiting = true;
        }
        return anyWaiting;
    }

    /// <summary>True while any request waits for its answer.</summary>
    public bool AnyWaiting()
    {
        foreach (var slot in _slots)
        {
            if (slot.WaitingId != 0)
                return true;
        }
        return false;
    }

    internal ulong IdFor(int index, uint use) => (ulong)use * (ulong)_slots.Length + (ulong)index + 1;

    private PendingSlot? SlotOf(ulong id)
    {
        if (id == 0)
            return null;
        return _slots[(int)((id - 1) % (ulong)_slots.Length)];
    }

    private PendingSlot Take()
    {
        // The semaphore let this caller in, so a free index is there (or about to be: Return enqueues before releasing).
        int index;
        var spinner = new SpinWait();
        while (!_free.TryDequeue(out index))
            spinner.SpinOnce();
        return _slots[index];
    }

    internal void Return(int index)
    {
        _free.Enqueue(index);
        _capacity.Release();
    }
}

/// <summary>
/// One reusable wait for an answer, awaited as a <see cref="ValueTask{TResult}"/> exactly once per use; reading the
/// result hands the slot back. Whoever completes it first wins (answer, deadline, cancellation, connection failure):
/// completion is a compare-and-swap on the id of the request that waits.
/// </summary>
internal sealed class PendingSlot(PendingRequests owner, int index) : IValueTaskSource<KahunaResponse>
{
    private ManualResetValueTaskSourceCore<KahunaResponse> _core = new() { RunContinuationsAsynchronously = true };
    private long _waitingId;
    private uint _uses;
    private CancellationTokenRegistration _registration;

    /// <summary>The id of the request waiting here; 0 when none waits (free, or completed and not yet read).</summary>
    public ulong WaitingId => (ulong)Volatile.Read(ref _waitingId);

    /// <summary>The <see cref="System.Diagnostics.Stopwatch"/> timestamp after which the sweep fails the request.</summary>
    public long Deadline { get; private set; }

    /// <summary>Starts a use: returns the id to send the request under.</summary>
    public ulong Arm(long deadline)
    {
        Deadline = deadline;
        ulong id = owner.IdFor(index, unchecked(++_uses));
        // A full fence: the connection's failure flag is read right after, and Fail() reads this the other way round.
        Interlocked.Exchange(ref _waitingId, (long)id);
        return id;
    }

    /// <summary>Fails the request with cancellation when <paramref name="cancellationToken"/> fires.</summary>
    public void CancelWith(CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
            return;
        _registration = cancellationToken.UnsafeRegister(static (state, token) =>
        {
            var slot = (PendingSlot)state!;
            ulong id = slot.WaitingId;
            if (id != 0)
                slot.TryComplete(id, null, new OperationCanceledException(token));
        }, this);
    }

    public ValueTask<KahunaResponse> AsValueTask() => new(this, _core.Version);

    /// <summary>Completes the request <paramref name="id"/> if it still waits here: with the answer, or with the error.</summary>
    public bool TryComplete(ulong id, KahunaResponse? response, Exception? error)
    {
        if (Interlocked.CompareExchange(ref _waitingId, 0, (long)id) != (long)id)
            return false;
        if (error is null)
            _core.SetResult(response!);
        else
            _core.SetException(error);
        return true;
    }

    public KahunaResponse GetResult(short token)
    {
        if (token != _core.Version)
            return _core.GetResult(token); // throws: a stale await, which must not hand the slot back a second time
        try
        {
            return _core.GetResult(token);
        }
        finally
        {
            // Waits for a cancellation callback that is running, so none can touch the slot's next use.
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
