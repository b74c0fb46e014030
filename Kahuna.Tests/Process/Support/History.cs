using System.Collections.Concurrent;
using System.Diagnostics;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>What the client learned about one operation.</summary>
internal enum Outcome
{
    /// <summary>The cluster answered with the outcome asked for (written, granted, values handed out).</summary>
    Acknowledged,

    /// <summary>The cluster answered with a definite "no" (e.g. the lock is busy): it served the request.</summary>
    Refused,

    /// <summary>No answer (timeout, lost connection, cancelled): the operation may or may not have taken effect.</summary>
    Indeterminate,
}

/// <summary>One operation of the background load; times are offsets on the history's monotonic clock.</summary>
internal abstract record Operation(int Partition, TimeSpan Started, TimeSpan Ended, Outcome Outcome, string? Problem)
{
    /// <summary>True when the partition answered (acknowledged or refused): it was available.</summary>
    public bool Answered => Outcome != Outcome.Indeterminate;
}

/// <summary>A persistent set of <paramref name="Key"/> to a value no other write uses.</summary>
internal sealed record KeyWrite(int Partition, string Key, string Value, long Revision, TimeSpan Started, TimeSpan Ended, Outcome Outcome, string? Problem)
    : Operation(Partition, Started, Ended, Outcome, Problem);

/// <summary>A persistent try-lock by a fresh owner; acknowledged = granted with <paramref name="FencingToken"/>, refused = busy.</summary>
internal sealed record LockAttempt(int Partition, string Resource, long FencingToken, TimeSpan Started, TimeSpan Ended, Outcome Outcome, string? Problem)
    : Operation(Partition, Started, Ended, Outcome, Problem);

/// <summary>Values taken from a sequence: [Start, Start + Count).</summary>
internal sealed record SequenceTake(int Partition, string Name, long Start, int Count, TimeSpan Started, TimeSpan Ended, Outcome Outcome, string? Problem)
    : Operation(Partition, Started, Ended, Outcome, Problem);

/// <summary>Everything the background load did, in completion order, on one monotonic clock. Thread-safe.</summary>
internal sealed class History
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<Operation> _operations = new();

    public TimeSpan Now => _clock.Elapsed;

    public void Add(Operation operation) => _operations.Enqueue(operation);

    public IReadOnlyList<Operation> Operations => _operations.ToArray();

    public IReadOnlyList<T> Of<T>() where T : Operation => _operations.OfType<T>().ToList();

    /// <summary>Operations the partition answered that started at or after <paramref name="since"/>.</summary>
    public int AnsweredSince(int partition, TimeSpan since) =>
        _operations.Count(o => o.Partition == partition && o.Answered && o.Started >= since);

    /// <summary>
    /// For each partition, how long after <paramref name="since"/> the first operation that started after it was
    /// answered; null for a partition that has not answered one yet.
    /// </summary>
    public IReadOnlyDictionary<int, TimeSpan?> ResumedAfter(TimeSpan since, IEnumerable<int> partitions) =>
        partitions.ToDictionary(p => p, p => _operations
            .Where(o => o.Partition == p && o.Answered && o.Started >= since)
            .Select(o => (TimeSpan?)(o.Ended - since))
            .Min());
}
