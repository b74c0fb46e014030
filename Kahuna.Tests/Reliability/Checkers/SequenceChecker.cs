using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed record SequenceCheckOptions
{
    /// <summary>Below this many ok allocations (next or range, over all sequences) the verdict is Unknown.</summary>
    public int MinimumAllocations { get; init; } = 25;

    /// <summary>Whether values must increase in real time (our design promises it; the original only while ownership was stable).</summary>
    public bool RequireRealTimeOrder { get; init; } = true;

    public int MaxReportedPerKind { get; init; } = 20;
}

/// <summary>
/// Checks sequence histories: an ok <c>next</c> hands out <c>value</c>, an ok <c>range</c> hands out
/// <c>start .. start+count-1</c>.
/// <list type="bullet">
/// <item>Uniqueness: no value of a sequence is handed out twice (ranges compared as intervals, never expanded).</item>
/// <item>Real-time order: if allocation A completed before allocation B was invoked, every value of B is greater than
/// every value of A. Concurrent allocations may interleave in any order.</item>
/// <item>Gaps are legal, and so is anything an info allocation might have taken: it may have consumed values nobody
/// saw. Fail allocations handed out nothing.</item>
/// </list>
/// </summary>
public sealed class SequenceChecker
{
    private readonly SequenceCheckOptions _options;

    public SequenceChecker(SequenceCheckOptions? options = null) => _options = options ?? new SequenceCheckOptions();

    private sealed record Allocation(int Index, long Low, long High, double Invoke, double Complete);

    public CheckResult Check(IReadOnlyList<HistoryOperation> history)
    {
        var anomalies = new List<Anomaly>();
        var bySequence = new SortedDictionary<string, List<Allocation>>(StringComparer.Ordinal);
        long info = 0, fail = 0, values = 0, nexts = 0, ranges = 0;
        for (int i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (op.F is not (OperationFunction.Next or OperationFunction.Range)) continue;
            if (op.IsInfo) { info++; continue; }
            if (op.IsFail) { fail++; continue; }
            if (ToAllocation(i, op) is not { } allocation)
            {
                anomalies.Add(new Anomaly(AnomalyKind.MalformedHistory, $"not a valid allocation: {CheckResult.Show(history, i)}", [i]));
                continue;
            }
            if (!bySequence.TryGetValue(op.Key!, out var list)) bySequence[op.Key!] = list = new List<Allocation>();
            list.Add(allocation);
            values += allocation.High - allocation.Low + 1;
            if (op.F == OperationFunction.Next) nexts++; else ranges++;
        }

        foreach (var (sequence, allocations) in bySequence)
        {
            anomalies.AddRange(CheckResult.FirstOf(_options.MaxReportedPerKind, Duplicates(history, sequence, allocations)));
            if (_options.RequireRealTimeOrder) anomalies.AddRange(CheckResult.FirstOf(_options.MaxReportedPerKind, RealTimeInversions(history, sequence, allocations)));
        }

        long total = nexts + ranges;
        if (total < _options.MinimumAllocations)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, $"only {total} successful allocations (need {_options.MinimumAllocations})", []));
        var counts = new Dictionary<string, long>
        {
            ["sequences"] = bySequence.Count, ["ok_next"] = nexts, ["ok_range"] = ranges, ["values"] = values, ["info"] = info, ["fail"] = fail,
        };
        return new CheckResult("sequence", CheckResult.OutcomeOf(anomalies), anomalies, counts);
    }

    private static Allocation? ToAllocation(int index, HistoryOperation op)
    {
        if (op.Key is null || op.Complete is not { } complete || !(complete >= op.Invoke)) return null;
        if (op.F == OperationFunction.Next)
            return op.Value is { } v ? new Allocation(index, v, v, op.Invoke, complete) : null;
        if (op is not { Start: { } start, Count: { } count } || count < 1 || start > long.MaxValue - (count - 1)) return null;
        return new Allocation(index, start, start + count - 1, op.Invoke, complete);
    }

    /// <summary>Sorted by first value, an allocation overlapping the furthest-reaching one before it shares values with it.</summary>
    private static IEnumerable<Anomaly> Duplicates(IReadOnlyList<HistoryOperation> history, string sequence, List<Allocation> allocations)
    {
        Allocation? furthest = null;
        foreach (var a in allocations.OrderBy(a => a.Low).ThenBy(a => a.Index))
        {
            if (furthest is { } f && a.Low <= f.High)
            {
                long last = Math.Min(a.High, f.High);
                string values = a.Low == last ? $"{a.Low}" : $"{a.Low}..{last}";
                yield return new Anomaly(AnomalyKind.DuplicateValue,
                    $"sequence {sequence}: {values} handed out twice: {CheckResult.Show(history, f.Index)} / {CheckResult.Show(history, a.Index)}",
                    [f.Index, a.Index]);
            }
            if (furthest is null || a.High > furthest.High) furthest = a;
        }
    }

    /// <summary>A sweep by invoke, keeping the highest value among allocations that completed strictly before.</summary>
    private static IEnumerable<Anomaly> RealTimeInversions(IReadOnlyList<HistoryOperation> history, string sequence, List<Allocation> allocations)
    {
        var byComplete = allocations.OrderBy(a => a.Complete).ToList();
        int completed = 0;
        Allocation? highest = null;
        foreach (var a in allocations.OrderBy(a => a.Invoke))
        {
            while (completed < byComplete.Count && byComplete[completed].Complete < a.Invoke)
            {
                var done = byComplete[completed++];
                if (highest is null || done.High > highest.High) highest = done;
            }
            if (highest is { } h && a.Low <= h.High)
            {
                yield return new Anomaly(AnomalyKind.RealTimeOrder,
                    $"sequence {sequence}: {a.Low} was handed out after {h.High} had been (that allocation completed before this one was invoked): " +
                    $"{CheckResult.Show(history, h.Index)} / {CheckResult.Show(history, a.Index)}",
                    [h.Index, a.Index]);
            }
        }
    }
}
