using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed record LockCheckOptions
{
    /// <summary>Subtracted from every lease before counting on it: covers the server granting a little after invoke and timer slack.</summary>
    public TimeSpan LeaseMargin { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How much faster than the client's clock the server's may run; a lease counts as lease × (1 - this).</summary>
    public double ClockRateTolerance { get; init; } = 0.01;

    /// <summary>Below this many certain holds (over all resources) mutual exclusion was barely tested: Unknown.</summary>
    public int MinimumCertainHolds { get; init; } = 2;

    /// <summary>At most this many findings of each kind are reported (the verdict counts them all).</summary>
    public int MaxReportedPerKind { get; init; } = 20;
}

/// <summary>
/// Checks lock histories (acquire with owner, lease_ms and the returned token; release by owner): mutual exclusion of
/// holders within their leases, and fencing-token order. The rules, and why they never accuse a correct server:
///
/// <para><b>Grant.</b> All ok acquires of one resource with the same owner and token are one grant (a re-acquire by
/// the holder returns the same token and is legal). The grant happened at some moment g no later than its first ok
/// acquire completed, and no earlier than the earliest invoke among its <i>candidates</i>: its ok acquires, and the
/// owner's info acquires invoked before then (an acquire that timed out may be the one the server granted).</para>
///
/// <para><b>Certain hold.</b> A grant is certainly held from the completion of its first ok acquire until the earliest of
/// (a) the lease: the server starts the lease at g or later, so it lasts at least until min over candidates of
/// (invoke + lease × (1 - tolerance) - margin); re-acquiring never counts as extending it; and (b) the invoke of any
/// ok or info release by the same owner that may have taken effect after g (one that did not complete before the
/// earliest candidate invoke). Every attempt counts, including an early one that timed out: the original checker
/// took a retried release's later start and so invented violations. Fail releases certainly changed nothing.</para>
///
/// <para><b>Mutual exclusion.</b> Certain holds of different owners on one resource must not overlap. Info acquires
/// give no certain hold, so they cannot create a violation; they never shorten another owner's hold either, so they
/// cannot hide one. They can only shorten their own owner's later grant (conservative); workloads should use a
/// fresh owner per acquire/release cycle so that this stays local.</para>
///
/// <para><b>Fencing.</b> Two different owners must never get the same token for one resource. For ok acquires a and b
/// with a completed before b was invoked, token(a) ≤ token(b): the server's token only grows, so what it shows in
/// real-time order cannot go down (equal only for a re-acquire of the same grant, which the first rule covers).
/// Concurrent acquires may show their tokens in either order.</para>
/// </summary>
public sealed partial class LockChecker
{
    private readonly LockCheckOptions _options;

    public LockChecker(LockCheckOptions? options = null) => _options = options ?? new LockCheckOptions();

    public CheckResult Check(IReadOnlyList<HistoryOperation> history)
    {
        var anomalies = new List<Anomaly>();
        var byResource = new SortedDictionary<string, List<int>>(StringComparer.Ordinal);
        for (int i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (op.F is not (OperationFunction.Acquire or OperationFunction.Release)) continue;
            if (Malformed(op) is { } problem)
            {
                anomalies.Add(new Anomaly(AnomalyKind.MalformedHistory, $"{problem}: {CheckResult.Show(history, i)}", [i]));
                continue;
            }
            if (!byResource.TryGetValue(op.Key!, out var indices)) byResource[op.Key!] = indices = new List<int>();
            indices.Add(i);
        }

        var counts = new Dictionary<string, long> { ["resources"] = byResource.Count };
        void Count(string name, long n) => counts[name] = counts.GetValueOrDefault(name) + n;
        foreach (var (resource, indices) in byResource)
        {
            var ops = indices.Select(i => (Index: i, Op: history[i])).ToList();
            Count("ok_acquires", ops.Count(o => o.Op is { F: OperationFunction.Acquire, IsOk: true }));
            Count("info_acquires", ops.Count(o => o.Op is { F: OperationFunction.Acquire, IsInfo: true }));
            Count("fail_acquires", ops.Count(o => o.Op is { F: OperationFunction.Acquire, IsFail: true }));
            Count("releases", ops.Count(o => o.Op.F == OperationFunction.Release));

            var holds = CertainHolds(resource, ops, out int shortenedByInfo);
            Count("certain_holds", holds.Count);
            Count("certain_hold_ms", (long)(holds.Sum(h => h.End - h.Start) * 1000));
            Count("holds_shortened_by_info", shortenedByInfo);
            anomalies.AddRange(CheckResult.FirstOf(_options.MaxReportedPerKind, MutualExclusionViolations(history, resource, holds)));
            anomalies.AddRange(CheckResult.FirstOf(_options.MaxReportedPerKind, TokenReuses(history, resource, ops)));
            anomalies.AddRange(CheckResult.FirstOf(_options.MaxReportedPerKind, TokenOrderViolations(history, resource, ops)));
        }

        long certain = counts.GetValueOrDefault("certain_holds");
        if (certain < _options.MinimumCertainHolds)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, $"only {certain} certain holds (need {_options.MinimumCertainHolds})", []));
        return new CheckResult("lock", CheckResult.OutcomeOf(anomalies), anomalies, counts);
    }

    private static string? Malformed(HistoryOperation op)
    {
        if (op.Key is null) return "a lock operation needs a key (the resource)";
        if (op.Owner is null) return "a lock operation needs an owner";
        if (!double.IsFinite(op.Invoke)) return "invoke is not a finite time";
        if (op.IsOk && (op.Complete is not { } c || !(c >= op.Invoke))) return "an ok operation needs a complete time after its invoke";
        if (op.F == OperationFunction.Acquire && op.LeaseMs is not > 0) return "an acquire needs a positive lease_ms";
        if (op is { F: OperationFunction.Acquire, IsOk: true, Token: null }) return "an ok acquire needs its token";
        return null;
    }
}
