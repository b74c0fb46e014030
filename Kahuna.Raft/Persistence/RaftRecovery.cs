using Kahuna.Raft.Core;

namespace Kahuna.Raft.Persistence;

/// <summary>
/// The pure fold that rebuilds a replica's persisted state from its latest checkpoint and the journal events after
/// it. The live path persists exactly these events, so recovery and the running replica agree by construction.
/// </summary>
public sealed class RaftRecovery
{
    private readonly List<LogEntry> _entries = new();
    private HardState _hardState = HardState.Empty;
    private SnapshotMetadata? _snapshot;
    private ReadOnlyMemory<byte> _stateMachine = ReadOnlyMemory<byte>.Empty;

    public long EventsReplayed { get; private set; }
    public long EntriesReplayed { get; private set; }
    public bool HasState => _snapshot is not null || EventsReplayed > 0;
    public ReadOnlyMemory<byte> StateMachine => _stateMachine;

    public void Offer(ReplicaCheckpoint checkpoint)
    {
        _hardState = checkpoint.HardState;
        _snapshot = checkpoint.Snapshot;
        _stateMachine = checkpoint.StateMachine;
        _entries.Clear();
        _entries.AddRange(checkpoint.Tail);
    }

    public void Apply(IRaftJournalEvent e)
    {
        EventsReplayed++;
        switch (e)
        {
            case ReplicaBootstrapped b:
                _snapshot ??= new SnapshotMetadata(0, 0, b.Configuration);
                break;
            case EntriesAppended a:
                if (a.HardState is { } hs) _hardState = hs;
                Append(a.Entries);
                break;
        }
    }

    private void Append(IReadOnlyList<LogEntry> entries)
    {
        if (entries.Count == 0) return;
        EntriesReplayed += entries.Count;
        var boundary = _snapshot?.Index ?? 0;
        var first = entries[0].Index;
        var next = boundary + _entries.Count + 1;
        if (first > next)
            throw new InvalidOperationException($"journal gap: entries start at {first} but the log ends at {next - 1}");
        // Entries at or below the boundary are already covered by the checkpoint; later ones replace the tail.
        var keep = (int)Math.Max(0, first - boundary - 1);
        if (keep < _entries.Count) _entries.RemoveRange(keep, _entries.Count - keep);
        foreach (var e in entries)
            if (e.Index > boundary) _entries.Add(e);
    }

    /// <summary>Forgets the replayed entries and state-machine bytes once the replica has started from them.</summary>
    public void Release()
    {
        _entries.Clear();
        _entries.TrimExcess();
        _stateMachine = ReadOnlyMemory<byte>.Empty;
    }

    /// <summary>The state to start the core from; a replica with nothing persisted starts from <paramref name="fallback"/>.</summary>
    public RaftStorageState ToStorageState(RaftStorageState fallback)
    {
        if (_snapshot is null) return EventsReplayed == 0 ? fallback : new RaftStorageState(_hardState, fallback.Snapshot, _entries.ToList());
        return new RaftStorageState(_hardState, _snapshot, _entries.ToList());
    }
}
