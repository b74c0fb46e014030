using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using MessagePack;

namespace Kahuna.Node.StateMachines.Sequences;

/// <summary>
/// Named counters that hand out unique, increasing ranges. Deterministic: time (for idempotency retention) is passed in.
/// </summary>
/// <remarks>
/// <para>The state per name is a <b>high-water mark</b>: the last value ever handed out or reserved (0 before the
/// first, so sequences start at 1). <see cref="Next"/> and <see cref="ReserveBlock"/> both take the values just above
/// it and raise it, so no value is ever given twice.</para>
/// <para><b>Blocks</b>: to go fast the leader reserves a block through the log and then hands values out from memory
/// (<see cref="SequenceBlockAllocator"/>). A new leader starts from the replicated mark, above every block the old
/// leader reserved: values it never handed out become gaps; duplicates are impossible.</para>
/// <para><b>Idempotency</b>: a Next with a key records key → range; the same key within the retention window gets
/// the same range back (a different count is InvalidInput). Records are forgotten oldest first after the retention
/// window or beyond the cap, so memory is bounded; a retry after that takes a new range.</para>
/// </remarks>
public sealed class SequenceStore
{
    private readonly Dictionary<string, long> _highWaterMarks = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Name, string Key), IdempotencyRecord> _idempotency = new();
    private readonly Queue<(string Name, string Key)> _idempotencyByAge = new();
    private readonly SequenceStoreOptions _options;

    public SequenceStore(SequenceStoreOptions? options = null)
    {
        _options = options ?? new SequenceStoreOptions();
        _options.Validate();
    }

    /// <summary>Names with a high-water mark.</summary>
    public int Count => _highWaterMarks.Count;

    /// <summary>Idempotency records held.</summary>
    public int IdempotencyRecordCount => _idempotency.Count;

    /// <summary>Takes <paramref name="count"/> values; with <paramref name="idempotencyKey"/>, a retry gets the same range.</summary>
    public SequenceRangeResult Next(string name, long count, string? idempotencyKey, long nowMs)
    {
        if (string.IsNullOrEmpty(name) || count < 1 || idempotencyKey is { Length: 0 })
        {
            return SequenceRangeResult.InvalidInput;
        }

        if (idempotencyKey is not null && _idempotency.TryGetValue((name, idempotencyKey), out var record))
        {
            return record.Count == count
                ? new SequenceRangeResult(KahunaStatus.Ok, record.Start, record.Count)
                : SequenceRangeResult.InvalidInput;
        }

        var taken = Take(name, count);
        if (taken.Status == KahunaStatus.Ok && idempotencyKey is not null && _options.MaxIdempotencyRecords > 0)
        {
            Remember(name, idempotencyKey, new IdempotencyRecord(taken.Start, taken.Count, nowMs));
        }

        return taken;
    }

    /// <summary>Reserves <paramref name="blockSize"/> values for the leader to hand out from memory.</summary>
    public SequenceRangeResult ReserveBlock(string name, long blockSize)
    {
        if (string.IsNullOrEmpty(name) || blockSize < 1)
        {
            return SequenceRangeResult.InvalidInput;
        }

        return Take(name, blockSize);
    }

    /// <summary>Query: the last value handed out or reserved for <paramref name="name"/> (0 when none).</summary>
    public long GetHighWaterMark(string name) => name is not null && _highWaterMarks.TryGetValue(name, out var mark) ? mark : 0;

    /// <summary>Forgets idempotency records older than the retention window (at most <paramref name="budget"/>).</summary>
    public int CollectGarbage(long nowMs, int budget)
    {
        var forgotten = 0;
        while (forgotten < budget && _idempotencyByAge.TryPeek(out var oldest)
               && _idempotency[oldest].CreatedAtMs + _options.IdempotencyRetentionMs <= nowMs)
        {
            _idempotency.Remove(_idempotencyByAge.Dequeue());
            forgotten++;
        }

        return forgotten;
    }

    private SequenceRangeResult Take(string name, long count)
    {
        if (count > _options.MaxCount)
        {
            return SequenceRangeResult.TooLarge;
        }

        var mark = GetHighWaterMark(name);
        if (mark > long.MaxValue - count)
        {
            return SequenceRangeResult.TooLarge;
        }

        _highWaterMarks[name] = mark + count;
        return new SequenceRangeResult(KahunaStatus.Ok, mark + 1, count);
    }

    private void Remember(string name, string key, IdempotencyRecord record)
    {
        // Command timestamps never go backwards, so the queue is in creation order: the front is the oldest.
        while (_idempotency.Count >= _options.MaxIdempotencyRecords)
        {
            _idempotency.Remove(_idempotencyByAge.Dequeue());
        }

        _idempotency.Add((name, key), record);
        _idempotencyByAge.Enqueue((name, key));
    }

    /// <summary>The whole store as plain data (names in ordinal order, idempotency records oldest first).</summary>
    public SequenceStoreSnapshot ToSnapshot() => new(
        _highWaterMarks.OrderBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => new SequenceSnapshotEntry(pair.Key, pair.Value)).ToArray(),
        _idempotencyByAge.Select(id =>
        {
            var record = _idempotency[id];
            return new IdempotencySnapshotRecord(id.Name, id.Key, record.Start, record.Count, record.CreatedAtMs);
        }).ToArray());

    /// <summary>Replaces the whole state with <paramref name="snapshot"/>.</summary>
    public void LoadSnapshot(SequenceStoreSnapshot snapshot)
    {
        _highWaterMarks.Clear();
        _idempotency.Clear();
        _idempotencyByAge.Clear();
        foreach (var entry in snapshot.Sequences)
        {
            _highWaterMarks.Add(entry.Name, entry.HighWaterMark);
        }

        foreach (var saved in snapshot.IdempotencyRecords)
        {
            _idempotency.Add((saved.Name, saved.Key), new IdempotencyRecord(saved.Start, saved.Count, saved.CreatedAtMs));
            _idempotencyByAge.Enqueue((saved.Name, saved.Key));
        }
    }

    /// <summary>
    /// Seam for partition splits: moves the sequences whose name hash is in [<paramref name="firstHash"/>,
    /// <paramref name="lastHash"/>] (marks and idempotency records) to a new store with the same options.
    /// </summary>
    public SequenceStore SplitOff(Func<string, ulong> hash, ulong firstHash, ulong lastHash)
    {
        bool Moves(string name) => hash(name) is var h && h >= firstHash && h <= lastHash;
        var snapshot = ToSnapshot();
        var child = new SequenceStore(_options);
        child.LoadSnapshot(new SequenceStoreSnapshot(
            snapshot.Sequences.Where(entry => Moves(entry.Name)).ToArray(),
            snapshot.IdempotencyRecords.Where(record => Moves(record.Name)).ToArray()));
        LoadSnapshot(new SequenceStoreSnapshot(
            snapshot.Sequences.Where(entry => !Moves(entry.Name)).ToArray(),
            snapshot.IdempotencyRecords.Where(record => !Moves(record.Name)).ToArray()));
        return child;
    }

    private sealed record IdempotencyRecord(long Start, long Count, long CreatedAtMs);
}

/// <summary>Snapshot of a <see cref="SequenceStore"/>. Part of the on-disk snapshot format: keys are append only.</summary>
[MessagePackObject]
public sealed record SequenceStoreSnapshot(
    [property: Key(0)] SequenceSnapshotEntry[] Sequences,
    [property: Key(1)] IdempotencySnapshotRecord[] IdempotencyRecords);

[MessagePackObject]
public sealed record SequenceSnapshotEntry(
    [property: Key(0)] string Name,
    [property: Key(1)] long HighWaterMark);

[MessagePackObject]
public sealed record IdempotencySnapshotRecord(
    [property: Key(0)] string Name,
    [property: Key(1)] string Key,
    [property: Key(2)] long Start,
    [property: Key(3)] long Count,
    [property: Key(4)] long CreatedAtMs);
