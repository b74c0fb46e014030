using Akka.Actor;
using Kahuna.Raft.Core;

namespace Kahuna.Raft.Actors;

/// <summary>Marks every message the Raft layer sends between nodes or persists (bound to the Raft serializer in HOCON).</summary>
public interface IRaftSerializable;

/// <summary>Messages of the replica actor.</summary>
public static class RaftReplicaProtocol
{
    /// <summary>A Raft message for one replica of one group, travelling between nodes.</summary>
    public sealed record RaftEnvelope(string GroupId, RaftMessage Message) : IRaftSerializable;

    /// <summary>Raft messages of any groups from one node to another, sent together (see ActorPathRaftTransport).</summary>
    public sealed record RaftEnvelopeBatch(IReadOnlyList<RaftEnvelope> Envelopes) : IRaftSerializable;

    /// <summary>
    /// A piece of a snapshot travelling to a follower. Snapshots are streamed in bounded chunks, one outstanding at a
    /// time, so a large state never becomes one huge remoting frame.
    /// </summary>
    public sealed record SnapshotChunk(
        string GroupId, string From, string To, long Term, SnapshotMetadata Metadata,
        long Offset, long TotalLength, ReadOnlyMemory<byte> Data) : IRaftSerializable
    {
        public bool IsLast => Offset + Data.Length >= TotalLength;
    }

    /// <summary>The follower received the chunk ending at <see cref="NextOffset"/>; the sender may send the next.</summary>
    public sealed record SnapshotChunkAck(string GroupId, string From, string To, long Term, long SnapshotIndex, long NextOffset)
        : IRaftSerializable;

    /// <summary>Ask a replica for its <see cref="ReplicaStatus"/>.</summary>
    public sealed record GetStatus
    {
        public static readonly GetStatus Instance = new();
        private GetStatus() { }
    }

    /// <param name="RecoveredEntries">Log entries replayed from the journal when the replica started.</param>
    /// <param name="RecoveryMillis">Time from the actor's start to the end of its recovery.</param>
    public sealed record ReplicaStatus(string GroupId, RaftStatus Raft, long JournalSequenceNr, long SnapshotIndex, int PendingProposals,
        long RecoveredEntries = 0, double RecoveryMillis = 0);

    /// <summary>Propose a membership change (tests and, later, the placement coordinator); answered with <see cref="ConfigChangeResult"/>.</summary>
    public sealed record ChangeMembership(ConfigChange Change);

    public sealed record ConfigChangeResult(ProposeStatus Status, string? Error);

    /// <summary>Ask the replica to hand its leadership to another voter.</summary>
    public sealed record TransferLeadership(string Target);

    internal sealed record Tick
    {
        public static readonly Tick Instance = new();
        private Tick() { }
    }

    internal sealed record ProcessReady
    {
        public static readonly ProcessReady Instance = new();
        private ProcessReady() { }
    }

    /// <param name="checkpoints">The node's <see cref="CheckpointGate"/>; null when the replica has no neighbours to wait for.</param>
    public static Props Props(RaftReplicaSettings settings, Func<IReplicaApplication> application, IRaftTransport transport,
        CheckpointGate? checkpoints = null) =>
        Akka.Actor.Props.Create(() => new RaftReplicaActor(settings, application, transport, checkpoints));
}

/// <summary>How a replica reaches the other replicas of its group.</summary>
public interface IRaftTransport
{
    /// <summary>Sends a message to the replica named <paramref name="replicaId"/> of the given group; fire and forget.</summary>
    void Send(string replicaId, string groupId, object message, IActorRef sender);
}
