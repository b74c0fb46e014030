using System.Globalization;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed partial class LockChecker
{
    /// <summary>A span of time during which <see cref="Owner"/> certainly held the resource under one grant.</summary>
    private sealed record CertainHold(string Owner, long Token, double Start, double End, int FirstAcquire, int EndedBy, string EndReason);

    /// <summary>The certain hold of every grant (owner, token) of one resource; grants whose certain span is empty are left out.</summary>
    private List<CertainHold> CertainHolds(string resource, List<(int Index, HistoryOperation Op)> ops, out int shortenedByInfo)
    {
        shortenedByInfo = 0;
        var holds = new List<CertainHold>();
        var byOwner = ops.ToLookup(o => o.Op.Owner!);
        var grants = ops.Where(o => o.Op is { F: OperationFunction.Acquire, IsOk: true })
            .GroupBy(o => (o.Op.Owner!, o.Op.Token!.Value));
        foreach (var grant in grants)
        {
            var (owner, token) = grant.Key;
            var first = grant.MinBy(o => o.Op.Complete!.Value);
            double start = first.Op.Complete!.Value;

            // Lease: from the earliest request that may have made this grant, counting only what the server must honour.
            var candidates = grant.Concat(byOwner[owner].Where(o => o.Op is { F: OperationFunction.Acquire, IsInfo: true } && o.Op.Invoke < start)).ToList();
            var leaseFrom = candidates.MinBy(o => o.Op.Invoke + CertainLeaseSeconds(o.Op.LeaseMs!.Value));
            double end = leaseFrom.Op.Invoke + CertainLeaseSeconds(leaseFrom.Op.LeaseMs!.Value);
            int endedBy = leaseFrom.Index;
            string reason = "lease";
            if (leaseFrom.Op.IsInfo) shortenedByInfo++;

            // Release: any attempt by this owner that may have taken effect after the grant, from its first invoke.
            double grantedNoEarlierThan = candidates.Min(o => o.Op.Invoke);
            foreach (var (index, release) in byOwner[owner])
            {
                if (release is not { F: OperationFunction.Release, IsFail: false }) continue;
                if (release.EffectiveComplete < grantedNoEarlierThan || release.Invoke >= end) continue;
                (end, endedBy, reason) = (release.Invoke, index, "release");
            }

            if (end > start) holds.Add(new CertainHold(owner, token, start, end, first.Index, endedBy, reason));
        }
        return holds;
    }

    private double CertainLeaseSeconds(long leaseMs) =>
        leaseMs / 1000.0 * (1 - _options.ClockRateTolerance) - _options.LeaseMargin.TotalSeconds;

    /// <summary>Pairs of certain holds by different owners that overlap in time (a sweep over holds by start).</summary>
    private static IEnumerable<Anomaly> MutualExclusionViolations(IReadOnlyList<HistoryOperation> history, string resource, List<CertainHold> holds)
    {
        var active = new List<CertainHold>();
        foreach (var hold in holds.OrderBy(h => h.Start))
        {
            active.RemoveAll(a => a.End <= hold.Start);
            foreach (var other in active.Where(a => a.Owner != hold.Owner))
            {
                yield return new Anomaly(AnomalyKind.MutualExclusion,
                    $"resource {resource}: {other.Owner} (token {other.Token}) certainly held it over [{T(other.Start)}, {T(other.End)}) " +
                    $"(until its {other.EndReason}, op #{other.EndedBy}) and {hold.Owner} (token {hold.Token}) over [{T(hold.Start)}, {T(hold.End)}): " +
                    $"{CheckResult.Show(history, other.FirstAcquire)} / {CheckResult.Show(history, hold.FirstAcquire)}",
                    [other.FirstAcquire, hold.FirstAcquire]);
            }
            active.Add(hold);
        }
    }

    private static string T(double seconds) => seconds.ToString("0.######", CultureInfo.InvariantCulture);
}
