using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Support;

/// <summary>
/// Acknowledged writes lost, counted apart from the linearizability verdict so the report can say "lost acknowledged
/// writes: 0" on its own terms. For each final read of a key (invoked after every other operation on it ended or was
/// abandoned), the value it returns must come from a write or cas that is not certainly overwritten: one with no ok
/// write or cas invoked after it completed (an info write never completed, so it is never certainly overwritten).
/// Returning absent while an ok write exists, or an overwritten value, means an acknowledged write was lost. A delete is
/// a write of "absent": a final read that finds nothing is explained by a delete not certainly overwritten.
/// </summary>
internal static class LostWrites
{
    public static IReadOnlyList<string> Find(IReadOnlyList<HistoryOperation> history, IEnumerable<int> finalReads)
    {
        var writesByKey = history
            .Where(o => o is { F: OperationFunction.Write or OperationFunction.Cas or OperationFunction.Delete, IsFail: false })
            .ToLookup(o => o.Key!);
        var lost = new List<string>();
        foreach (int index in finalReads)
        {
            var read = history[index];
            var writes = writesByKey[read.Key!].ToList();
            var ok = writes.Where(w => w.IsOk).ToList();
            if (ok.Count == 0) continue; // nothing acknowledged on this key: nothing to lose
            var survivors = writes.Where(w => !ok.Any(later => later.Invoke > w.EffectiveComplete)).ToList();
            bool explained = survivors.Any(w => w.F == OperationFunction.Delete ? read.Value is null : read.Value is { } value && w.Value == value);
            if (!explained)
            {
                var lastAcknowledged = ok.MaxBy(w => w.Complete!.Value)!;
                lost.Add($"{read.Key}: final read #{index} saw {(read.Value is { } v ? v.ToString() : "nothing")}, but the acknowledged " +
                    $"{lastAcknowledged.F.ToString().ToLowerInvariant()} of {lastAcknowledged.Value?.ToString() ?? "absent"} (completed at {lastAcknowledged.Complete:F3}s) " +
                    $"or a write not certainly overwritten by it should be there; candidates: {string.Join(", ", survivors.Select(s => s.Value?.ToString() ?? "absent"))}");
            }
        }
        return lost;
    }
}
