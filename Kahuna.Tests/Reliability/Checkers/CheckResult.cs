using System.Text;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

/// <summary>
/// A checker's verdict. Only <see cref="Valid"/> is green: <see cref="Unknown"/> (search budget spent, too few
/// observations to mean anything, malformed history) must fail a test just like <see cref="Invalid"/>.
/// </summary>
public enum CheckOutcome
{
    Valid,
    Invalid,
    Unknown,
}

public enum AnomalyKind
{
    // Reasons for Unknown.
    MalformedHistory,
    Vacuous,
    SearchBudgetExceeded,

    // Register.
    NotLinearizable,
    ReadOfUnwrittenValue,
    StaleRead,

    // Lock.
    MutualExclusion,
    FencingTokenOrder,
    FencingTokenReused,

    // Sequence.
    DuplicateValue,
    RealTimeOrder,

    // Bank.
    TotalChanged,
    NegativeBalance,
    WrongAccounts,
}

/// <summary>One finding, naming the operations involved by their index in the checked history (line number - 1).</summary>
public sealed record Anomaly(AnomalyKind Kind, string Message, IReadOnlyList<int> Operations)
{
    public override string ToString() => Operations.Count == 0 ? $"{Kind}: {Message}" : $"{Kind}: {Message} (ops {string.Join(", ", Operations)})";
}

/// <summary>The verdict of one checker over one history: outcome, the findings behind it, and what was counted.</summary>
public record CheckResult(string Checker, CheckOutcome Outcome, IReadOnlyList<Anomaly> Anomalies, IReadOnlyDictionary<string, long> Counts)
{
    public bool IsValid => Outcome == CheckOutcome.Valid;

    public bool Has(AnomalyKind kind) => Anomalies.Any(a => a.Kind == kind);

    /// <summary>A report for people: outcome, counts, then each finding.</summary>
    public virtual string Describe()
    {
        var text = new StringBuilder();
        text.Append(Checker).Append(": ").Append(Outcome);
        if (Counts.Count > 0) text.Append(" (").Append(string.Join(", ", Counts.Select(c => $"{c.Key}={c.Value}"))).Append(')');
        foreach (var anomaly in Anomalies) text.Append("\n  - ").Append(anomaly);
        return text.ToString();
    }

    public override string ToString() => Describe();

    /// <summary>Invalid if any finding is a violation; else Unknown if any finding is a reason for doubt; else Valid.</summary>
    public static CheckOutcome OutcomeOf(IEnumerable<Anomaly> anomalies)
    {
        var outcome = CheckOutcome.Valid;
        foreach (var a in anomalies)
        {
            if (a.Kind is AnomalyKind.MalformedHistory or AnomalyKind.Vacuous or AnomalyKind.SearchBudgetExceeded) outcome = CheckOutcome.Unknown;
            else return CheckOutcome.Invalid;
        }
        return outcome;
    }

    /// <summary>The first <paramref name="max"/> findings, then one "and n more" of the same kind (so the verdict is unchanged).</summary>
    public static IEnumerable<Anomaly> FirstOf(int max, IEnumerable<Anomaly> found)
    {
        var list = found.ToList();
        if (list.Count <= max) return list;
        var shown = list.Take(max).ToList();
        shown.Add(list[0] with { Message = $"... and {list.Count - max} more like it", Operations = [] });
        return shown;
    }

    /// <summary>Formats an operation for a finding: its index and its JSON line.</summary>
    public static string Show(IReadOnlyList<HistoryOperation> history, int index) => $"#{index} {HistoryJson.Serialize(history[index])}";
}
