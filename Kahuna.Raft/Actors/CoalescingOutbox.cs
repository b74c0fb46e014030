using System.Collections.Concurrent;
using Akka.Actor;

namespace Kahuna.Raft.Actors;

/// <summary>
/// Messages from any thread of this node to one actor on another node, coalesced. Each message through Akka remoting
/// pays for an envelope, a recipient path, a lookup on arrival and (without the transport's own flush consolidation)
/// a socket write; with many small messages those costs grew with the number of messages, not with the work.
/// Messages queue here and one pool work item sends whatever has gathered as a single batch message. Nothing waits on
/// a timer: the flush runs as soon as a pool thread is free, so a quiet node sends at once and a busy one sends fewer,
/// larger messages. Batches may overtake each other (a flush can start while the previous one is still sending), so
/// only what tolerates reordering goes through an outbox: Raft messages, and requests and answers matched by id.
/// </summary>
/// <param name="target">The receiving actor on the other node.</param>
/// <param name="estimateBytes">A message's approximate size once serialized (a batch stops growing at <paramref name="maxBatchBytes"/>).</param>
/// <param name="makeBatch">Wraps the gathered messages into the one message sent.</param>
/// <param name="schedule">Runs a flush; null queues it to the thread pool (tests run flushes by hand).</param>
public sealed class CoalescingOutbox<T>(
    IActorRef target, Func<T, int> estimateBytes, Func<List<T>, object> makeBatch,
    int maxBatchBytes = CoalescingOutbox<T>.DefaultMaxBatchBytes, int maxBatchMessages = CoalescingOutbox<T>.DefaultMaxBatchMessages,
    Action<Action>? schedule = null)
{
    /// <summary>A batch stops growing here (estimated bytes), well under the remoting frame limit.</summary>
    public const int DefaultMaxBatchBytes = 1024 * 1024;

    /// <summary>And at this many messages.</summary>
    public const int DefaultMaxBatchMessages = 512;

    private readonly ConcurrentQueue<T> _queue = new();
    private int _flushScheduled;

    public void Enqueue(T message)
    {
        _queue.Enqueue(message);
        if (Interlocked.CompareExchange(ref _flushScheduled, 1, 0) != 0) return;
        if (schedule is null) ThreadPool.UnsafeQueueUserWorkItem(static outbox => outbox.Flush(), this, preferLocal: false);
        else schedule(Flush);
    }

    private void Flush()
    {
        // Cleared before draining: a message queued from here on either is drained below or schedules the next flush.
        Volatile.Write(ref _flushScheduled, 0);
        List<T>? batch = null;
        var bytes = 0;
        while (_queue.TryDequeue(out var message))
        {
            var size = estimateBytes(message);
            if (batch is not null && (bytes + size > maxBatchBytes || batch.Count >= maxBatchMessages))
            {
                target.Tell(makeBatch(batch), ActorRefs.NoSender);
                batch = null;
                bytes = 0;
            }
            (batch ??= new List<T>()).Add(message);
            bytes += size;
        }
        if (batch is not null) target.Tell(makeBatch(batch), ActorRefs.NoSender);
    }
}
