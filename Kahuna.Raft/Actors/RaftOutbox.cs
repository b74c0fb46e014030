using System.Collections.Concurrent;
using Akka.Actor;
using Kahuna.Raft.Serialization;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Raft.Actors;

/// <summary>
/// Raft messages from every group on this node to one other node, coalesced. Each message through Akka remoting
/// pays for an envelope, a recipient path and a lookup on arrival; with many partitions those costs grew with the
/// number of groups, not with the work. Messages queue here and one pool work item sends whatever has gathered as a
/// single <see cref="RaftEnvelopeBatch"/> to the peer's <see cref="RaftHostActor"/>, which hands each to its group.
/// Nothing waits on a timer: the flush runs as soon as a pool thread is free, so a quiet node sends at once and a
/// busy one sends fewer, larger messages. Order per destination is kept.
/// </summary>
internal sealed class RaftOutbox(IActorRef peerHost)
{
    /// <summary>A batch stops growing here (estimated bytes), well under the remoting frame limit.</summary>
    internal const int MaxBatchBytes = 1024 * 1024;

    /// <summary>And at this many messages.</summary>
    internal const int MaxBatchMessages = 512;

    private readonly ConcurrentQueue<RaftEnvelope> _queue = new();
    private int _flushScheduled;

    public void Enqueue(RaftEnvelope envelope)
    {
        _queue.Enqueue(envelope);
        if (Interlocked.CompareExchange(ref _flushScheduled, 1, 0) == 0)
            ThreadPool.UnsafeQueueUserWorkItem(static outbox => outbox.Flush(), this, preferLocal: false);
    }

    private void Flush()
    {
        // Cleared before draining: a message queued from here on either is drained below or schedules the next flush.
        Volatile.Write(ref _flushScheduled, 0);
        List<RaftEnvelope>? batch = null;
        var bytes = 0;
        while (_queue.TryDequeue(out var envelope))
        {
            var size = RaftCodec.EstimateSize(envelope.Message) + envelope.GroupId.Length;
            if (batch is not null && (bytes + size > MaxBatchBytes || batch.Count >= MaxBatchMessages))
            {
                peerHost.Tell(new RaftEnvelopeBatch(batch), ActorRefs.NoSender);
                batch = null;
                bytes = 0;
            }
            (batch ??= new List<RaftEnvelope>()).Add(envelope);
            bytes += size;
        }
        if (batch is not null) peerHost.Tell(new RaftEnvelopeBatch(batch), ActorRefs.NoSender);
    }
}
