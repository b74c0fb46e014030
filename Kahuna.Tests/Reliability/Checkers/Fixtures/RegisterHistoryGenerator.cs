using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers.Fixtures;

/// <summary>
/// Makes register histories that are linearizable by construction: every operation gets a random interval and a
/// linearization point inside it (for an info operation: anywhere after its invoke, or never), and the results are
/// computed by running a sequential register in linearization-point order. Values written are unique across the
/// history, which lets <see cref="MutateToStaleRead"/> plant an anomaly that is certainly invalid.
/// </summary>
internal static class RegisterHistoryGenerator
{
    public sealed record Settings(int Keys, int ProcessesPerKey, int OperationsPerKey, double InfoRate);

    public static List<HistoryOperation> Generate(int seed, Settings settings)
    {
        var random = new Random(seed);
        var history = new List<HistoryOperation>();
        long nextValue = 1;
        for (int k = 0; k < settings.Keys; k++)
            history.AddRange(GenerateKey(random, $"k{k}", k * settings.ProcessesPerKey, settings, ref nextValue));
        history.Sort((a, b) => a.Invoke.CompareTo(b.Invoke));
        return history;
    }

    private static List<HistoryOperation> GenerateKey(Random random, string key, int firstProcess, Settings s, ref long nextValue)
    {
        var cursor = Enumerable.Range(0, s.ProcessesPerKey).Select(_ => random.NextDouble()).ToArray();
        var planned = new List<(HistoryOperation Op, double? Point)>();
        var recentlyWritten = new List<long>();
        for (int n = 0; n < s.OperationsPerKey; n++)
        {
            int p = Array.IndexOf(cursor, cursor.Min());
            double invoke = cursor[p] + random.NextDouble() * 0.3;
            double duration = 0.05 + random.NextDouble() * 2;
            bool info = random.NextDouble() < s.InfoRate;
            double? point = info
                ? random.NextDouble() < 0.5 ? invoke + random.NextDouble() * duration * 10 : null
                : invoke + random.NextDouble() * duration;
            int process = firstProcess + p;
            double roll = random.NextDouble();
            HistoryOperation op;
            if (roll < 0.5) op = HistoryOperation.Read(process, key);
            else if (roll < 0.75 || recentlyWritten.Count == 0) op = HistoryOperation.Write(process, key, nextValue++);
            else if (roll < 0.95)
            {
                long? expected = random.NextDouble() < 0.1 ? null : recentlyWritten[Math.Max(0, recentlyWritten.Count - 1 - random.Next(3))];
                op = HistoryOperation.Cas(process, key, expected, nextValue++);
            }
            else op = HistoryOperation.Delete(process, key);
            if (op.Value is { } written) recentlyWritten.Add(written);
            planned.Add((op.At(invoke, info ? null : invoke + duration, info ? OperationStatus.Info : OperationStatus.Ok), point));
            cursor[p] = invoke + duration;
        }
        return RunInPointOrder(planned);
    }

    /// <summary>Runs the planned operations through a sequential register in linearization-point order, filling in results.</summary>
    private static List<HistoryOperation> RunInPointOrder(List<(HistoryOperation Op, double? Point)> planned)
    {
        long? state = null;
        var result = new List<HistoryOperation>(planned.Count);
        foreach (var (op, point) in planned.OrderBy(x => x.Point ?? double.PositiveInfinity))
        {
            if (point is null)
            {
                result.Add(op); // an info operation that never took effect
                continue;
            }
            switch (op.F)
            {
                case OperationFunction.Read:
                    result.Add(op.IsInfo ? op : op with { Value = state });
                    break;
                case OperationFunction.Write:
                    state = op.Value;
                    result.Add(op);
                    break;
                case OperationFunction.Delete:
                    state = null;
                    result.Add(op);
                    break;
                default:
                    bool matches = state == op.Expected;
                    if (matches) state = op.Value;
                    result.Add(matches || op.IsInfo ? op : op with { Status = OperationStatus.Fail });
                    break;
            }
        }
        return result;
    }

    /// <summary>
    /// Makes one ok read certainly stale: it is changed to return the value of a plain write W1 that completed before
    /// another write W2 was invoked, where W2 completed before the read was invoked. With unique values nothing else
    /// can put W1's value back, so the result cannot be linearizable. Null if the history offers no such triple.
    /// </summary>
    public static (List<HistoryOperation> History, int MutatedIndex)? MutateToStaleRead(List<HistoryOperation> history, int seed)
    {
        var random = new Random(seed);
        var reads = Enumerable.Range(0, history.Count).Where(i => history[i] is { F: OperationFunction.Read, IsOk: true }).OrderBy(_ => random.Next()).ToList();
        foreach (int r in reads)
        {
            var read = history[r];
            var writes = history.Where(w => w is { F: OperationFunction.Write, IsOk: true } && w.Key == read.Key).ToList();
            foreach (var w2 in writes.Where(w => w.Complete < read.Invoke))
            {
                var w1 = writes.FirstOrDefault(w => w.Complete < w2.Invoke && w.Value != read.Value);
                if (w1 is null) continue;
                var mutated = history.ToList();
                mutated[r] = read with { Value = w1.Value };
                return (mutated, r);
            }
        }
        return null;
    }

    /// <summary>
    /// Makes the register go back: picks ok reads R1 (saw a), R2 (saw b, a different value) and R3, each invoked after
    /// the previous one completed, and makes R3 see a again. With unique values a's only write precedes R1 and b's
    /// write falls between a's write and R2, so R3 cannot see a. Often no single write certainly overwrote a before
    /// R3 (b's write may overlap a's), so this is the kind of anomaly only the search refutes. Yields every such
    /// mutation, in a seeded random order.
    /// </summary>
    public static IEnumerable<(List<HistoryOperation> History, int MutatedIndex)> FlipFlops(List<HistoryOperation> history, int seed)
    {
        var random = new Random(seed);
        var reads = Enumerable.Range(0, history.Count)
            .Where(i => history[i] is { F: OperationFunction.Read, IsOk: true, Value: not null })
            .ToList();
        foreach (int r1 in reads.OrderBy(_ => random.Next()))
        {
            var first = history[r1];
            int r2 = reads.FirstOrDefault(i => history[i].Key == first.Key && history[i].Invoke > first.Complete && history[i].Value != first.Value, -1);
            if (r2 < 0) continue;
            int r3 = reads.FirstOrDefault(i => history[i].Key == first.Key && history[i].Invoke > history[r2].Complete, -1);
            if (r3 < 0 || history[r3].Value == first.Value) continue;
            var mutated = history.ToList();
            mutated[r3] = history[r3] with { Value = first.Value };
            yield return (mutated, r3);
        }
    }
}
