using System.Collections.Concurrent;
using Kahuna.Protocol.Concurrency;
using Kahuna.Protocol.Messages;
using PendingSlot = Kahuna.Protocol.Concurrency.ReusableWait<Kahuna.Protocol.Messages.KahunaResponse>;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// The requests of one connection that wait for their answers: a fixed set of reusable slots, one per request the
/// connection may have in flight, so a call allocates no completion source, task or table entry of its own. A request
/// id names its slot and that slot's use count, so an answer that comes after its caller gave up (deadline,
/// cancellation) can never complete the slot's next request (see <see cref="ReusableWait{T}"/>).
/// </summary>
internal sealed class PendingRequests : IReusableWaitOwner
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
            _slots[i] = new PendingSlot(this, i, (ulong)capacity);
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

    private PendingSlot? SlotOf(ulong id) =>
        id == 0 ? null : _slots[PendingSlot.IndexOf(id, (ulong)_slots.Length)];

    private PendingSlot Take()
    {
        // The semaphore let this caller in, so a free index is there (or about to be: Return enqueues before releasing).
        int index;
        var spinner = new SpinWait();
        while (!_free.TryDequeue(out index))
            spinner.SpinOnce();
        return _slots[index];
    }

    public void Return(int index)
    {
        _free.Enqueue(index);
        _capacity.Release();
    }
}
