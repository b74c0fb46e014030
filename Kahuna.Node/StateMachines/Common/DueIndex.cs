namespace Kahuna.Node.StateMachines.Common;

/// <summary>
/// Keys ordered by a due time (an expiry, a garbage-collection deadline), so "what is due by now" costs
/// O(log n + k) instead of a scan. Ties are broken by ordinal key order, which makes the order total:
/// two replicas (or a replica and its restored snapshot) visit due keys in exactly the same order.
/// </summary>
/// <remarks>The caller keeps the due time it indexed a key under, so removal is exact.</remarks>
internal sealed class DueIndex
{
    private readonly SortedSet<(long DueAtMs, string Key)> _entries = new(DueOrder.Instance);

    public int Count => _entries.Count;

    public void Add(long dueAtMs, string key) => _entries.Add((dueAtMs, key));

    public void Remove(long dueAtMs, string key) => _entries.Remove((dueAtMs, key));

    public void Clear() => _entries.Clear();

    /// <summary>Up to <paramref name="limit"/> keys due at or before <paramref name="nowMs"/>, earliest first.</summary>
    public List<string> ListDue(long nowMs, int limit)
    {
        var due = new List<string>();
        if (limit <= 0)
        {
            return due;
        }

        foreach (var (dueAtMs, key) in _entries)
        {
            if (dueAtMs > nowMs || due.Count >= limit)
            {
                break;
            }

            due.Add(key);
        }

        return due;
    }

    /// <summary>The earliest entry and the time it is indexed under, if it is due at or before <paramref name="nowMs"/>.</summary>
    public bool TryPeekDue(long nowMs, out string key, out long dueAtMs)
    {
        if (_entries.Count > 0)
        {
            (dueAtMs, key) = _entries.Min;
            if (dueAtMs <= nowMs)
            {
                return true;
            }
        }

        key = "";
        dueAtMs = 0;
        return false;
    }

    private sealed class DueOrder : IComparer<(long DueAtMs, string Key)>
    {
        public static readonly DueOrder Instance = new();

        public int Compare((long DueAtMs, string Key) x, (long DueAtMs, string Key) y)
        {
            var byTime = x.DueAtMs.CompareTo(y.DueAtMs);
            return byTime != 0 ? byTime : string.CompareOrdinal(x.Key, y.Key);
        }
    }
}
