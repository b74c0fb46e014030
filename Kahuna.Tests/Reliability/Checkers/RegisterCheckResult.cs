using System.Text;

namespace Kahuna.Tests.Reliability.Checkers;

/// <summary>Limits and vacuity floors for <see cref="RegisterLinearizabilityChecker"/>.</summary>
public sealed record RegisterCheckOptions
{
    /// <summary>Search steps (candidate tries) per key before giving up with Unknown.</summary>
    public long MaxSearchSteps { get; init; } = 20_000_000;

    /// <summary>Memoized (set, state) pairs per key before giving up with Unknown: bounds memory.</summary>
    public int MaxSearchStates { get; init; } = 2_000_000;

    public TimeSpan TimeLimitPerKey { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>What every key holds before the history starts; null = absent.</summary>
    public long? InitialValue { get; init; }

    /// <summary>Below this many acknowledged writes (ok write or cas) over the whole history, the verdict is Unknown.</summary>
    public int MinimumOkWrites { get; init; } = 1;

    /// <summary>Below this many ok reads that returned a value (not absent), the verdict is Unknown.</summary>
    public int MinimumObservedReads { get; init; } = 1;
}

/// <summary>Why one key's history is not linearizable, small enough to read.</summary>
/// <param name="LongestPrefix">History indices of a longest linearizable prefix the search found, in linearization order.</param>
/// <param name="StateAfterPrefix">The register after that prefix: a value, or "absent".</param>
/// <param name="Blocked">History indices of the operations that could come next and none of which the model accepts.</param>
public sealed record LinearizabilityFailure(
    string Key,
    IReadOnlyList<int> LongestPrefix,
    string StateAfterPrefix,
    IReadOnlyList<int> Blocked,
    string Explanation);

/// <summary>The verdict for one key, with what the search cost.</summary>
public sealed record KeyLinearizability(
    string Key,
    CheckOutcome Outcome,
    int OkOperations,
    int InfoOperationsSearched,
    int InfoOperationsDropped,
    int FailOperationsDropped,
    long SearchSteps,
    int SearchStates,
    TimeSpan Elapsed,
    LinearizabilityFailure? Failure);

public sealed record RegisterCheckResult(
    CheckOutcome Outcome,
    IReadOnlyList<Anomaly> Anomalies,
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyList<KeyLinearizability> Keys)
    : CheckResult("register-linearizability", Outcome, Anomalies, Counts)
{
    public KeyLinearizability this[string key] => Keys.Single(k => k.Key == key);

    public override string Describe()
    {
        var text = new StringBuilder(base.Describe());
        foreach (var k in Keys.Where(k => k.Outcome != CheckOutcome.Valid))
            text.Append($"\n  key {k.Key}: {k.Outcome} after {k.SearchSteps} steps, {k.SearchStates} states, {k.Elapsed.TotalMilliseconds:F0} ms");
        return text.ToString();
    }
}
