using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Raft.Persistence;

/// <summary>
/// The Raft log as journal events. The journal is append-only, so a follower overwriting a conflicting tail is an
/// ordinary event whose first entry's index is at or below the last persisted one: replay truncates, then appends.
/// </summary>
public interface IRaftJournalEvent : IRaftSerializable;

/// <summary>The replica was created as a member of a new group with this membership (the first event of its journal).</summary>
public sealed record ReplicaBootstrapped(RaftConfiguration Configuration) : IRaftJournalEvent;

/// <summary>One Ready batch made durable: the new hard state (when it changed) and the entries to append (possibly none).</summary>
public sealed record EntriesAppended(HardState? HardState, IReadOnlyList<LogEntry> Entries) : IRaftJournalEvent;

/// <summary>
/// A complete checkpoint of a replica, saved in the snapshot store: everything the journal held up to the snapshot's
/// sequence number. It carries the state machine at <see cref="Snapshot"/>.Index plus the persisted entries after it
/// (the journal below the checkpoint is deleted), and the hard state, so recovery is checkpoint + later events.
/// </summary>
public sealed record ReplicaCheckpoint(HardState HardState, SnapshotMetadata Snapshot, ReadOnlyMemory<byte> StateMachine, IReadOnlyList<LogEntry> Tail)
    : IRaftSerializable;
