using System.Collections.Concurrent;
using Kahuna.Protocol.Concurrency;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Routing;

/// <summary>
/// The router's attempts that wait for a replica's reply. Each is a <see cref="ReusableWait{T}"/>, made when the load
/// first needs it and reused after, up to one per request the node may have in flight: an attempt allocates no
/// completion source, task or table entry. The correlation id an attempt goes out under names its wait and that
/// wait's use, so a reply that comes after its attempt gave up (timeout, cancellation) never completes a later one.
/// A wait that times out completes with null (no reply in time).
/// </summary>
internal sealed class PendingAttempts : IReusableWaitOwner
{
    private readonly ulong _tableSize;
    private readonly object _growing = new();
    private readonly ConcurrentQueue<int> _free = new();
    // Replaced by a larger copy when every wait is taken; readers take whichever array is current.
    private ReusableWait<PartitionReply?>?[] _waits = new ReusableWait<PartitionReply?>?[64];
    private int _count;

    /// <param name="maxWaits">The most attempts that can wait at once (the router admits at most this many requests).</param>
    public PendingAttempts(int maxWaits)
    {
        if (maxWaits < 1) throw new ArgumentOutOfRangeException(nameof(maxWaits), maxWaits, "at least one attempt must be able to wait");
        _tableSize = (ulong)maxWaits;
    }

    /// <summary>Waits made so far (the peak of attempts in flight).</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>Takes a free wait, making one when none is free.</summary>
    public ReusableWait<PartitionReply?> Rent()
    {
        if (_free.TryDequeue(out var index)) return Volatile.Read(ref _waits)[index]!;
        return Make();
    }

    /// <summary>Completes the attempt <paramref name="correlationId"/> with its reply; false when it no longer waits.</summary>
    public bool TryComplete(long correlationId, PartitionReply reply) =>
        correlationId > 0 && WaitFor((ulong)correlationId) is { } wait && wait.TryComplete((ulong)correlationId, reply, null);

    /// <summary>Gives up (null: no reply in time) every attempt whose deadline is at or before <paramref name="now"/>.</summary>
    public void ExpireOverdue(long now)
    {
        var waits = Volatile.Read(ref _waits);
        foreach (var wait in waits)
        {
            if (wait is null) break;
            var id = wait.WaitingId;
            if (id != 0 && wait.Deadline <= now) wait.TryComplete(id, null, null);
        }
    }

    public void Return(int index) => _free.Enqueue(index);

    private ReusableWait<PartitionReply?>? WaitFor(ulong id)
    {
        var index = ReusableWait<PartitionReply?>.IndexOf(id, _tableSize);
        var waits = Volatile.Read(ref _waits);
        return index < waits.Length ? waits[index] : null;
    }

    private ReusableWait<PartitionReply?> Make()
    {
        lock (_growing)
        {
            // Admission bounds the requests in flight, and each has at most one attempt out, so the table never fills;
            // should it ever, a wait comes free as soon as an attempt's result is read.
            if ((ulong)_count == _tableSize)
            {
                var spinner = new SpinWait();
                int index;
                while (!_free.TryDequeue(out index)) spinner.SpinOnce();
                return _waits[index]!;
            }
            var waits = _waits;
            if (_count == waits.Length)
            {
                var larger = new ReusableWait<PartitionReply?>?[(int)Math.Min((ulong)waits.Length * 2, _tableSize)];
                Array.Copy(waits, larger, waits.Length);
                Volatile.Write(ref _waits, larger);
                waits = larger;
            }
            var wait = new ReusableWait<PartitionReply?>(this, _count, _tableSize);
            waits[_count] = wait;
            Volatile.Write(ref _count, _count + 1);
            return wait;
        }
    }
}
