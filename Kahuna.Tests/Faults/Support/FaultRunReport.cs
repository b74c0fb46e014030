using System.Text;
using Kahuna.Tests.Reliability.Checkers;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Support;

/// <summary>What one seeded run did and what the checkers said about it.</summary>
internal sealed record FaultRunReport(
    long Seed,
    TimeSpan Elapsed,
    IReadOnlyList<HistoryOperation> History,
    IReadOnlyList<CheckResult> Results,
    IReadOnlyList<string> LostWrites,
    IReadOnlyDictionary<FaultKind, int> FaultsInjected)
{
    public bool Passed => Results.All(r => r.IsValid) && LostWrites.Count == 0;

    /// <summary>Operations by workload as the checkers saw them: register (fence registers included), lock, sequence.</summary>
    public IReadOnlyDictionary<string, int> OperationsByWorkload => new Dictionary<string, int>
    {
        ["register"] = History.Count(o => o.F is OperationFunction.Read or OperationFunction.Write or OperationFunction.Cas),
        ["lock"] = History.Count(o => o.F is OperationFunction.Acquire or OperationFunction.Release),
        ["sequence"] = History.Count(o => o.F is OperationFunction.Next or OperationFunction.Range),
    };

    public int Violations => Results.Sum(r => r.Anomalies.Count(a => a.Kind is not (AnomalyKind.Vacuous or AnomalyKind.SearchBudgetExceeded or AnomalyKind.MalformedHistory)));

    public string Summary()
    {
        var text = new StringBuilder();
        text.Append($"seed {Seed}: {(Passed ? "PASSED" : "FAILED")} in {Elapsed.TotalSeconds:F0} s; operations ");
        text.Append(string.Join(", ", OperationsByWorkload.Select(w => $"{w.Key}={w.Value}")));
        text.Append($" (ok {History.Count(o => o.IsOk)}, fail {History.Count(o => o.IsFail)}, info {History.Count(o => o.IsInfo)}); faults ");
        text.Append(string.Join(", ", FaultsInjected.Where(f => f.Value > 0).Select(f => $"{f.Key}={f.Value}")));
        text.Append($"; violations {Violations}; lost acknowledged writes {LostWrites.Count}");
        foreach (var result in Results) text.Append("\n  ").Append(result.Describe().Replace("\n", "\n  "));
        foreach (var lost in LostWrites.Take(10)) text.Append("\n  lost: ").Append(lost);
        return text.ToString();
    }
}
