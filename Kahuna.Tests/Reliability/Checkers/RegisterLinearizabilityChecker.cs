using Kahuna.Tests.Reliability.Checkers.Register;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

/// <summary>
/// Checks that each key's read/write/cas/delete operations are linearizable against a compare-and-set register
/// (reads see a value or absent; cas(expected, value) needs expected, where a null expected means absent; delete
/// makes the key absent). Keys are independent (linearizability composes per object), so each is searched alone.
///
/// How outcomes enter the model:
/// <list type="bullet">
/// <item><b>ok</b>: took effect exactly once, somewhere between invoke and complete; a read must be explained by the
/// state at that point.</item>
/// <item><b>fail</b>: certainly did not take effect, so it is dropped (a failed cas carries information, but dropping
/// it can only make the check weaker, never wrong).</item>
/// <item><b>info</b>: may take effect at any time after invoke (its complete is +infinity) or never; the search may
/// include it or leave it out. An info read is dropped (it changes nothing). An info write, cas or delete whose
/// written value no operation ever observes (no ok read returns it, no cas expects it) is dropped before the search:
/// it cannot help explain anything, and keeping it only multiplies the orders to try.</item>
/// </list>
/// Before searching, a cheap necessary condition (<see cref="ObservationPrecheck"/>) reports reads of values nobody
/// wrote and reads of values certainly overwritten, whatever the concurrency. A key whose search runs out of budget
/// is Unknown, which is not a pass.
/// </summary>
public sealed partial class RegisterLinearizabilityChecker
{
    private readonly RegisterCheckOptions _options;

    public RegisterLinearizabilityChecker(RegisterCheckOptions? options = null) => _options = options ?? new RegisterCheckOptions();

    public static bool IsRegisterOperation(HistoryOperation op) =>
        op.F is OperationFunction.Read or OperationFunction.Write or OperationFunction.Cas or OperationFunction.Delete;

    public RegisterCheckResult Check(IReadOnlyList<HistoryOperation> history)
    {
        var anomalies = new List<Anomaly>();
        var byKey = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        int okWrites = 0, observedReads = 0;
        for (int i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (!IsRegisterOperation(op)) continue;
            if (op.Key is null)
            {
                anomalies.Add(new Anomaly(AnomalyKind.MalformedHistory, "register operation without a key", [i]));
                continue;
            }
            if (!byKey.TryGetValue(op.Key, out var indices)) byKey[op.Key] = indices = new List<int>();
            indices.Add(i);
            if (op.IsOk && op.F is OperationFunction.Write or OperationFunction.Cas) okWrites++;
            if (op.IsOk && op.F == OperationFunction.Read && op.Value is not null) observedReads++;
        }

        var keys = new List<KeyLinearizability>();
        foreach (var (key, indices) in byKey) keys.Add(CheckKey(history, key, indices, anomalies));

        if (okWrites < _options.MinimumOkWrites)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, $"only {okWrites} acknowledged writes (need {_options.MinimumOkWrites})", []));
        if (observedReads < _options.MinimumObservedReads)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, $"only {observedReads} reads observed a value (need {_options.MinimumObservedReads})", []));

        var counts = new Dictionary<string, long>
        {
            ["keys"] = keys.Count,
            ["ok"] = keys.Sum(k => (long)k.OkOperations),
            ["info_searched"] = keys.Sum(k => (long)k.InfoOperationsSearched),
            ["info_dropped"] = keys.Sum(k => (long)k.InfoOperationsDropped),
            ["fail_dropped"] = keys.Sum(k => (long)k.FailOperationsDropped),
            ["ok_writes"] = okWrites,
            ["observed_reads"] = observedReads,
            ["search_steps"] = keys.Sum(k => k.SearchSteps),
        };
        return new RegisterCheckResult(CheckResult.OutcomeOf(anomalies), anomalies, counts, keys);
    }

    private KeyLinearizability CheckKey(IReadOnlyList<HistoryOperation> history, string key, List<int> indices, List<Anomaly> anomalies)
    {
        var prepared = Prepare(history, indices, out int failDropped, out var malformed);
        anomalies.AddRange(malformed);
        var initial = RegisterValue.Of(_options.InitialValue);
        int okCount = prepared.Count(s => !s.IsInfo);

        KeyLinearizability Result(CheckOutcome outcome, int infoKept, int infoDropped, SearchResult? search, LinearizabilityFailure? failure) =>
            new(key, outcome, okCount, infoKept, infoDropped, failDropped, search?.Steps ?? 0, search?.States ?? 0,
                search?.Elapsed ?? TimeSpan.Zero, failure);

        if (malformed.Count > 0) return Result(CheckOutcome.Unknown, 0, 0, null, null);

        var unexplained = ObservationPrecheck.Find(prepared, initial);
        if (unexplained.Count > 0)
        {
            foreach (var u in unexplained) anomalies.Add(DescribeUnexplained(history, key, u, prepared, initial));
            var observers = unexplained.Select(u => u.Observer.HistoryIndex).ToArray();
            var failure = new LinearizabilityFailure(key, [], initial.ToString(), observers,
                string.Join("\n", anomalies.Where(a => a.Operations.Count > 0 && observers.Contains(a.Operations[0])).Select(a => a.Message)));
            return Result(CheckOutcome.Invalid, 0, 0, null, failure);
        }

        var kept = DropUnobservedInfoWrites(prepared, out int infoDropped);
        var steps = kept.OrderBy(s => s.Invoke).ThenBy(s => s.HistoryIndex).ToArray();
        int infoKept = steps.Count(s => s.IsInfo);
        var budget = new SearchBudget(_options.MaxSearchSteps, _options.MaxSearchStates, _options.TimeLimitPerKey);
        var search = new LinearizabilitySearch(steps, initial, budget).Run();

        switch (search.Verdict)
        {
            case SearchVerdict.Linearizable:
                return Result(CheckOutcome.Valid, infoKept, infoDropped, search, null);
            case SearchVerdict.BudgetExceeded:
                anomalies.Add(new Anomaly(AnomalyKind.SearchBudgetExceeded,
                    $"key {key}: gave up after {search.Steps} steps, {search.States} states, {search.Elapsed.TotalMilliseconds:F0} ms " +
                    $"({steps.Length} operations, {infoKept} of them info)", []));
                return Result(CheckOutcome.Unknown, infoKept, infoDropped, search, null);
            default:
                var explained = Explain(history, key, steps, search.LongestPrefix, initial);
                anomalies.Add(new Anomaly(AnomalyKind.NotLinearizable, explained.Explanation, explained.Blocked));
                return Result(CheckOutcome.Invalid, infoKept, infoDropped, search, explained);
        }
    }
}
