namespace Kahuna.Tests.Reliability.Checkers.Register;

/// <summary>
/// Lowe's memoization for the Wing–Gong search: the set of (linearized operations, register state) pairs already
/// explored. Reaching the same pair twice means the same future, so the second visit is pruned.
/// Keys are found by an incremental Zobrist hash of the set (one XOR per step) and then compared exactly, so a hash
/// collision can never prune a path. Sets are stored trimmed: the run of leading all-ones words (everything already
/// linearized) is kept as a count and trailing zero words are dropped, so an entry costs a few words however long
/// the history is.
/// </summary>
internal sealed class VisitedStates
{
    private readonly Dictionary<ulong, int> _firstByHash = new();
    private readonly List<Entry> _entries = new();

    public int Count => _entries.Count;

    /// <summary>Adds the pair; false if it was already there.</summary>
    public bool TryAdd(ulong[] linearized, ulong setHash, RegisterValue state)
    {
        ulong hash = setHash ^ state.Hash();
        (int lo, int hi) = TrimmedBounds(linearized);
        bool chained = _firstByHash.TryGetValue(hash, out int head);
        for (int i = chained ? head : -1; i >= 0; i = _entries[i].Next)
        {
            var e = _entries[i];
            if (e.State == state && e.LeadingFullWords == lo && e.Words.AsSpan().SequenceEqual(linearized.AsSpan(lo, hi - lo)))
                return false;
        }
        _entries.Add(new Entry(lo, linearized.AsSpan(lo, hi - lo).ToArray(), state, chained ? head : -1));
        _firstByHash[hash] = _entries.Count - 1;
        return true;
    }

    /// <summary>[lo, hi): lo = number of leading all-ones words, hi = one past the last non-zero word (at least lo).</summary>
    private static (int Lo, int Hi) TrimmedBounds(ulong[] words)
    {
        int lo = 0;
        while (lo < words.Length && words[lo] == ulong.MaxValue) lo++;
        int hi = words.Length;
        while (hi > lo && words[hi - 1] == 0) hi--;
        return (lo, hi);
    }

    private readonly record struct Entry(int LeadingFullWords, ulong[] Words, RegisterValue State, int Next);
}
