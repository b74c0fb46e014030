using Kahuna.Protocol.Client;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// What a history must satisfy. Indeterminate operations are treated as the model allows: they may have taken
/// effect at any time after they started, or never.
/// </summary>
internal static class HistoryChecks
{
    private const int MaxReported = 15;

    /// <summary>
    /// Every acknowledged write is still there: for each key, a read returns the last acknowledged write's value at
    /// exactly its revision, or the value of a write whose outcome the client never learned (which may have been
    /// applied after it). Reads go through <paramref name="reader"/>. Returns the violations (empty when all hold).
    /// </summary>
    public static async Task<IReadOnlyList<string>> FindLostWritesAsync(KahunaClient reader, History history)
    {
        var byKey = history.Of<KeyWrite>().GroupBy(w => w.Key).ToList();
        var problems = new List<string>();
        using var inFlight = new SemaphoreSlim(32);
        await Task.WhenAll(byKey.Select(async writes =>
        {
            var lastAcknowledged = writes.Where(w => w.Outcome == Outcome.Acknowledged).MaxBy(w => w.Ended);
            if (lastAcknowledged is null)
                return;
            var unknown = writes.Where(w => w.Outcome == Outcome.Indeterminate).Select(w => w.Value).ToHashSet();
            await inFlight.WaitAsync();
            try
            {
                var got = await reader.GetAsync(writes.Key);
                string? found = got.ValueAsString();
                bool isLast = got.Found && found == lastAcknowledged.Value && got.Revision == lastAcknowledged.Revision;
                bool isUnknown = got.Found && found is not null && unknown.Contains(found) && got.Revision > lastAcknowledged.Revision;
                if (!isLast && !isUnknown)
                {
                    lock (problems)
                        problems.Add($"{writes.Key}: acknowledged '{lastAcknowledged.Value}' at revision {lastAcknowledged.Revision} " +
                            $"(t={lastAcknowledged.Ended.TotalSeconds:F2}s), read {(got.Found ? $"'{found}' at revision {got.Revision}" : "nothing")}");
                }
            }
            finally
            {
                inFlight.Release();
            }
        }));
        return problems;
    }

    /// <summary>Number of keys with an acknowledged write (what <see cref="FindLostWritesAsync"/> checks).</summary>
    public static int AcknowledgedKeys(History history) =>
        history.Of<KeyWrite>().Where(w => w.Outcome == Outcome.Acknowledged).Select(w => w.Key).Distinct().Count();

    /// <summary>Fencing tokens granted on each resource strictly increase in the order the grants were acknowledged.</summary>
    public static IReadOnlyList<string> FindFencingTokenRegressions(History history)
    {
        var problems = new List<string>();
        foreach (var grants in history.Of<LockAttempt>().Where(l => l.Outcome == Outcome.Acknowledged).GroupBy(l => l.Resource))
        {
            LockAttempt? previous = null;
            foreach (var grant in grants.OrderBy(g => g.Ended))
            {
                if (previous is not null && grant.FencingToken <= previous.FencingToken)
                    problems.Add($"{grants.Key}: token {grant.FencingToken} granted at t={grant.Ended.TotalSeconds:F2}s " +
                        $"after token {previous.FencingToken} at t={previous.Ended.TotalSeconds:F2}s");
                previous = grant;
            }
        }
        return problems;
    }

    /// <summary>Ranges taken from each sequence never overlap and increase in the order they were acknowledged.</summary>
    public static IReadOnlyList<string> FindSequenceRegressions(History history)
    {
        var problems = new List<string>();
        foreach (var takes in history.Of<SequenceTake>().Where(s => s.Outcome == Outcome.Acknowledged).GroupBy(s => s.Name))
        {
            SequenceTake? previous = null;
            foreach (var take in takes.OrderBy(t => t.Ended))
            {
                if (previous is not null && take.Start < previous.Start + previous.Count)
                    problems.Add($"{takes.Key}: [{take.Start}, {take.Start + take.Count}) at t={take.Ended.TotalSeconds:F2}s " +
                        $"after [{previous.Start}, {previous.Start + previous.Count}) at t={previous.Ended.TotalSeconds:F2}s");
                previous = take;
            }
        }
        return problems;
    }

    /// <summary>The highest fencing token granted per resource, and the highest sequence value handed out per name.</summary>
    public static IReadOnlyDictionary<string, long> HighestTokens(History history) =>
        history.Of<LockAttempt>().Where(l => l.Outcome == Outcome.Acknowledged)
            .GroupBy(l => l.Resource).ToDictionary(g => g.Key, g => g.Max(l => l.FencingToken));

    public static IReadOnlyDictionary<string, long> HighestSequenceValues(History history) =>
        history.Of<SequenceTake>().Where(s => s.Outcome == Outcome.Acknowledged)
            .GroupBy(s => s.Name).ToDictionary(g => g.Key, g => g.Max(s => s.Start + s.Count - 1));

    /// <summary>A failure message listing the first few problems.</summary>
    public static string Describe(string what, IReadOnlyList<string> problems) =>
        $"{what}: {problems.Count} violation(s):\n  " + string.Join("\n  ", problems.Take(MaxReported)) +
        (problems.Count > MaxReported ? $"\n  … and {problems.Count - MaxReported} more" : "");
}
