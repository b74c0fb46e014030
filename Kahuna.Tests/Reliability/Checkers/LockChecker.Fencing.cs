using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed partial class LockChecker
{
    /// <summary>One token handed to two different owners of the same resource, whenever it happened.</summary>
    private static IEnumerable<Anomaly> TokenReuses(IReadOnlyList<HistoryOperation> history, string resource, List<(int Index, HistoryOperation Op)> ops)
    {
        var firstByToken = new Dictionary<long, (int Index, string Owner)>();
        var reported = new HashSet<(long, string)>();
        foreach (var (index, op) in ops.Where(o => o.Op is { F: OperationFunction.Acquire, IsOk: true }))
        {
            long token = op.Token!.Value;
            if (!firstByToken.TryGetValue(token, out var first))
            {
                firstByToken[token] = (index, op.Owner!);
                continue;
            }
            if (first.Owner == op.Owner || !reported.Add((token, op.Owner!))) continue;
            yield return new Anomaly(AnomalyKind.FencingTokenReused,
                $"resource {resource}: token {token} was given to {first.Owner} and to {op.Owner}: " +
                $"{CheckResult.Show(history, first.Index)} / {CheckResult.Show(history, index)}",
                [first.Index, index]);
        }
    }

    /// <summary>
    /// Ok acquires in real-time order must never show a smaller token than one already shown: a sweep over acquires by
    /// invoke, keeping the largest token among those that completed strictly before.
    /// </summary>
    private static IEnumerable<Anomaly> TokenOrderViolations(IReadOnlyList<HistoryOperation> history, string resource, List<(int Index, HistoryOperation Op)> ops)
    {
        var acquires = ops.Where(o => o.Op is { F: OperationFunction.Acquire, IsOk: true }).ToList();
        var byComplete = acquires.OrderBy(o => o.Op.Complete!.Value).ToList();
        int completed = 0;
        (long Token, int Index)? highest = null;
        foreach (var (index, op) in acquires.OrderBy(o => o.Op.Invoke))
        {
            while (completed < byComplete.Count && byComplete[completed].Op.Complete!.Value < op.Invoke)
            {
                var done = byComplete[completed++];
                if (highest is null || done.Op.Token!.Value > highest.Value.Token) highest = (done.Op.Token!.Value, done.Index);
            }
            if (highest is { } h && h.Token > op.Token!.Value)
            {
                yield return new Anomaly(AnomalyKind.FencingTokenOrder,
                    $"resource {resource}: token went backwards from {h.Token} to {op.Token} although the first acquire " +
                    $"completed before the second was invoked: {CheckResult.Show(history, h.Index)} / {CheckResult.Show(history, index)}",
                    [h.Index, index]);
            }
        }
    }
}
