using System.Text;
using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

internal sealed class SimRandom(int seed) : IRaftRandom
{
    private readonly Random _random = new(seed);
    public int Next(int maxExclusive) => _random.Next(maxExclusive);
}

/// <summary>What a simulated replica has on disk: exactly what the host persisted from Ready batches, nothing more.</summary>
internal sealed class SimStorage
{
    public HardState HardState { get; private set; } = HardState.Empty;
    public SnapshotMetadata Snapshot { get; private set; }
    public byte[] SnapshotData { get; private set; } = [];
    public List<LogEntry> Entries { get; } = new();

    public SimStorage(SnapshotMetadata initial) => Snapshot = initial;

    public long LastIndex => Entries.Count > 0 ? Entries[^1].Index : Snapshot.Index;

    /// <summary>True while the disk holds fewer entries than the commit index it recorded.</summary>
    public bool MissesRecordedEntries => LastIndex < HardState.Commit;

    /// <summary>A disk that loses its last entries but keeps the hard state written with them.</summary>
    public void LoseLastEntries(int count) => Entries.RemoveRange(Entries.Count - count, count);

    public void Persist(Ready ready)
    {
        if (ready.Snapshot is { } snap)
        {
            Snapshot = snap.Metadata;
            SnapshotData = snap.Data.ToArray();
            Entries.Clear();
        }
        if (ready.Entries.Count > 0)
        {
            var first = ready.Entries[0].Index;
            Entries.RemoveAll(e => e.Index >= first);
            Entries.AddRange(ready.Entries);
        }
        if (ready.HardState is { } hs) HardState = hs;
    }

    public void SaveSnapshot(SnapshotMetadata meta, byte[] data)
    {
        Snapshot = meta;
        SnapshotData = data;
        Entries.RemoveAll(e => e.Index <= meta.Index);
    }

    public RaftStorageState Load() => new(HardState, Snapshot, Entries.Where(e => e.Index > Snapshot.Index).ToList());
}

/// <summary>A register store: commands are "key=value"; the leader's no-ops and membership entries change nothing.</summary>
internal sealed class SimStateMachine
{
    public SortedDictionary<string, string> Registers { get; private set; } = new(StringComparer.Ordinal);
    public long Applied { get; private set; }

    public void Apply(LogEntry e)
    {
        if (e.Index != Applied + 1) throw new SimulationViolation($"applied {e.Index} after {Applied}: gap or reorder");
        if (!e.IsConfiguration && e.Data.Length > 0)
        {
            var text = Encoding.UTF8.GetString(e.Data.Span);
            var eq = text.IndexOf('=');
            Registers[text[..eq]] = text[(eq + 1)..];
        }
        Applied = e.Index;
    }

    public byte[] TakeSnapshot() =>
        Encoding.UTF8.GetBytes(string.Join("\n", Registers.Select(kv => $"{kv.Key}={kv.Value}")));

    public void Restore(ReadOnlyMemory<byte> data, long index)
    {
        Registers = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var text = Encoding.UTF8.GetString(data.Span);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=');
            Registers[line[..eq]] = line[(eq + 1)..];
        }
        Applied = index;
    }

    public string Fingerprint => $"{Applied}:{string.Join(",", Registers.Select(kv => $"{kv.Key}={kv.Value}"))}";
}

internal sealed record PendingRead(long Context, string Key, long InvokedAt, long CommitAtInvoke);

internal sealed class SimReplica(string id, SimStorage storage, int tickOffset)
{
    public string Id { get; } = id;
    public SimStorage Storage { get; } = storage;
    public int TickOffset { get; } = tickOffset;
    public RaftNode? Core { get; set; }
    public SimStateMachine StateMachine { get; set; } = new();
    public bool Alive => Core is not null;
    public long RecordedCommit { get; set; }
    public Dictionary<long, PendingRead> Reads { get; } = new();
    public List<(ReadState State, PendingRead Read)> ReadsAwaitingApply { get; } = new();
    public Dictionary<long, (long Term, string Value)> Proposals { get; } = new();

    /// <summary>Ticks held back by a late timer (SimScenario.LateTicks), and how many to hold before handing them over.</summary>
    public int HeldTicks { get; set; }
    public int HoldTicks { get; set; }

    /// <summary>The Ready whose write is in flight, the step it becomes durable, and whether its messages went first.</summary>
    public Ready? Writing { get; set; }
    public long WriteDoneAt { get; set; }
    public bool WriteSentFirst { get; set; }
    /// <summary>How many of the writing Ready's committed entries were applied before its write.</summary>
    public int WriteAppliedEarly { get; set; }
}

public sealed class SimulationViolation(string message) : Exception(message);
