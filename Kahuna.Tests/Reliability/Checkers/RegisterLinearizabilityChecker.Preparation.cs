using System.Globalization;
using System.Text;
using Kahuna.Tests.Reliability.Checkers.Register;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed partial class RegisterLinearizabilityChecker
{
    /// <summary>How many operations of the prefix an explanation shows (the last ones: they led to the dead end).</summary>
    private const int PrefixTailShown = 8;

    /// <summary>Turns one key's operations into model steps: drops fail operations and info reads, validates the rest.</summary>
    private static List<RegisterStep> Prepare(IReadOnlyList<HistoryOperation> history, List<int> indices, out int failDropped, out List<Anomaly> malformed)
    {
        var steps = new List<RegisterStep>(indices.Count);
        malformed = new List<Anomaly>();
        failDropped = 0;
        foreach (int i in indices)
        {
            var op = history[i];
            if (op.IsFail)
            {
                failDropped++;
                continue;
            }
            if (op.IsInfo && op.F == OperationFunction.Read) continue;

            string? problem = op switch
            {
                { Invoke: var t } when !double.IsFinite(t) => "invoke is not a finite time",
                { IsOk: true, Complete: null } => "an ok operation needs a complete time",
                { IsOk: true, Complete: { } c } when !(c >= op.Invoke) => "complete is before invoke",
                { F: OperationFunction.Write or OperationFunction.Cas, Value: null } => "a write or cas needs a value",
                _ => null,
            };
            if (problem is not null)
            {
                malformed.Add(new Anomaly(AnomalyKind.MalformedHistory, $"{problem}: {CheckResult.Show(history, i)}", [i]));
                continue;
            }

            var (kind, required, written) = op.F switch
            {
                OperationFunction.Read => (RegisterStepKind.Read, RegisterValue.Of(op.Value), RegisterValue.Absent),
                OperationFunction.Write => (RegisterStepKind.Write, RegisterValue.Absent, RegisterValue.Of(op.Value)),
                OperationFunction.Delete => (RegisterStepKind.Write, RegisterValue.Absent, RegisterValue.Absent),
                _ => (RegisterStepKind.Cas, RegisterValue.Of(op.Expected), RegisterValue.Of(op.Value)),
            };
            steps.Add(new RegisterStep(i, kind, required, written, op.Invoke, op.EffectiveComplete, op.IsInfo));
        }
        return steps;
    }

    private static Anomaly DescribeUnexplained(IReadOnlyList<HistoryOperation> history, string key, UnexplainedObservation u, List<RegisterStep> steps, RegisterValue initial)
    {
        var o = u.Observer;
        string what = o.Kind == RegisterStepKind.Read ? $"a read returned {o.Required}" : $"a cas succeeded expecting {o.Required}";
        string observer = CheckResult.Show(history, o.HistoryIndex);
        if (o.Required != initial && !steps.Any(s => s.Kind != RegisterStepKind.Read && s.Written == o.Required))
            return new Anomaly(AnomalyKind.ReadOfUnwrittenValue, $"key {key}: {what}, which no operation wrote: {observer}", [o.HistoryIndex]);
        if (u.Overwriter is not { } y)
            return new Anomaly(AnomalyKind.StaleRead,
                $"key {key}: {what}, but every write of it was invoked after that completed: {observer}", [o.HistoryIndex]);
        string writer = u.Writer is { } x ? $"its latest possible write {CheckResult.Show(history, x.HistoryIndex)}" : "the initial value";
        var involved = u.Writer is { } w ? new[] { o.HistoryIndex, w.HistoryIndex, y.HistoryIndex } : [o.HistoryIndex, y.HistoryIndex];
        return new Anomaly(AnomalyKind.StaleRead,
            $"key {key}: {what}, but {writer} was certainly overwritten by {CheckResult.Show(history, y.HistoryIndex)} " +
            $"(invoked after that write completed, completed before this was invoked): {observer}", involved);
    }

    /// <summary>
    /// Drops info writes, cas and deletes whose written value nothing observes. Why this is sound: in any valid order
    /// that includes such an operation, the register holds its unobserved value until the next operation that ignores
    /// the current value (a write or delete; a read or cas would need to observe it), so removing it leaves the order
    /// valid. Dropping an info cas can make its expected value unobserved in turn, so this repeats to a fixpoint.
    /// </summary>
    private static List<RegisterStep> DropUnobservedInfoWrites(List<RegisterStep> steps, out int dropped)
    {
        var kept = steps;
        while (true)
        {
            var observed = new HashSet<RegisterValue>();
            foreach (var s in kept)
                if (s.Kind != RegisterStepKind.Write) observed.Add(s.Required);
            var next = kept.Where(s => !s.IsInfo || s.Kind == RegisterStepKind.Read || observed.Contains(s.Written)).ToList();
            if (next.Count == kept.Count) break;
            kept = next;
        }
        dropped = steps.Count - kept.Count;
        return kept;
    }

    /// <summary>
    /// Replays the longest prefix the search found and names what blocks it: the operations that could come next
    /// (invoked before the earliest completion among the ok operations left) and, for each, why the model refuses it.
    /// </summary>
    private static LinearizabilityFailure Explain(IReadOnlyList<HistoryOperation> history, string key, RegisterStep[] steps,
        IReadOnlyList<int> prefix, RegisterValue initial)
    {
        var state = initial;
        var done = new bool[steps.Length];
        foreach (int id in prefix)
        {
            steps[id].TryApply(state, out state);
            done[id] = true;
        }

        double deadline = double.PositiveInfinity;
        int deadlineStep = -1;
        for (int id = 0; id < steps.Length; id++)
            if (!done[id] && !steps[id].IsInfo && steps[id].Complete < deadline)
                (deadline, deadlineStep) = (steps[id].Complete, id);
        var blocked = Enumerable.Range(0, steps.Length).Where(id => !done[id] && steps[id].Invoke <= deadline).ToList();

        var text = new StringBuilder();
        text.Append($"key {key}: no linearization exists. A longest linearizable prefix has {prefix.Count} operations");
        if (prefix.Count > 0)
        {
            var tail = prefix.Skip(Math.Max(0, prefix.Count - PrefixTailShown)).Select(id => $"#{steps[id].HistoryIndex} {steps[id].Describe()}");
            text.Append($", ending {string.Join(", ", tail)}");
        }
        text.Append($"; after it the register holds {state}.");
        if (deadlineStep >= 0)
            text.Append($" Op #{steps[deadlineStep].HistoryIndex} completed at {Time(deadline)}, so it or an op invoked by then must come next, and every choice fails:");
        foreach (int id in blocked)
        {
            var op = history[steps[id].HistoryIndex];
            string why = steps[id].TryApply(state, out _) ? "fits here but leads to a dead end" : $"impossible on {state}";
            text.Append($"\n      #{steps[id].HistoryIndex} p{op.Process} {steps[id].Describe()} [{Time(op.Invoke)}, {(steps[id].IsInfo ? "?" : Time(steps[id].Complete))}]: {why}");
        }
        return new LinearizabilityFailure(key, prefix.Select(id => steps[id].HistoryIndex).ToArray(), state.ToString(),
            blocked.Select(id => steps[id].HistoryIndex).ToArray(), text.ToString());
    }

    private static string Time(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);
}
