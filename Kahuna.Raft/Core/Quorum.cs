namespace Kahuna.Raft.Core;

/// <summary>Majority arithmetic over a set of voters.</summary>
internal static class Quorum
{
    /// <summary>
    /// The highest index that a majority of voters has reached: sort the voters' match indexes descending and
    /// take the one at the quorum position. Voters without a known match count as 0.
    /// </summary>
    public static long CommittedIndex(IReadOnlyCollection<string> voters, Func<string, long> matchOf)
    {
        if (voters.Count == 0) return 0;
        Span<long> matches = voters.Count <= 16 ? stackalloc long[voters.Count] : new long[voters.Count];
        var i = 0;
        foreach (var v in voters) matches[i++] = matchOf(v);
        matches.Sort();
        // Ascending order: the element at Count - quorum is reached by exactly `quorum` voters or more.
        return matches[voters.Count - (voters.Count / 2 + 1)];
    }

    public enum VoteResult : byte { Pending, Won, Lost }

    /// <summary>Tallies granted and rejected votes among voters; unknown voters have not answered yet.</summary>
    public static VoteResult Tally(IReadOnlyCollection<string> voters, IReadOnlyDictionary<string, bool> votes)
    {
        int granted = 0, rejected = 0;
        foreach (var v in voters)
        {
            if (!votes.TryGetValue(v, out var g)) continue;
            if (g) granted++; else rejected++;
        }
        var quorum = voters.Count / 2 + 1;
        if (granted >= quorum) return VoteResult.Won;
        if (rejected > voters.Count - quorum) return VoteResult.Lost;
        return VoteResult.Pending;
    }
}
