namespace Kahuna.Node.StateMachines.Common;

/// <summary>
/// The keys of a store in ordinal order, for prefix scans and deterministic snapshots; point lookups go to a
/// hash map beside it, so only creating or removing a key touches this index (updates do not).
/// </summary>
/// <remarks>
/// A list of sorted chunks of at most <see cref="MaxChunk"/> keys (a one-level B+-tree). Why not
/// <see cref="SortedSet{T}"/>: a tree node costs ~48 bytes per key where a chunk slot costs 8–16, and
/// <c>SortedSet.GetViewBetween</c> counts the whole range when it is created, so paging through a big prefix
/// would cost O(range) per page; here seeking costs O(log n) and each step O(1).
/// Inserting costs a binary search plus a copy of at most <see cref="MaxChunk"/> references.
/// </remarks>
internal sealed class OrderedKeyIndex
{
    private const int MaxChunk = 256;
    private readonly List<List<string>> _chunks = [];

    public int Count { get; private set; }

    /// <summary>Adds a key; returns false when it was already present.</summary>
    public bool Add(string key)
    {
        if (_chunks.Count == 0)
        {
            _chunks.Add([key]);
            Count++;
            return true;
        }

        var chunkIndex = FindChunk(key);
        var chunk = _chunks[chunkIndex];
        var position = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (position >= 0)
        {
            return false;
        }

        position = ~position;
        if (chunk.Count >= MaxChunk)
        {
            // Split before inserting so a chunk's capacity never grows past MaxChunk.
            var half = chunk.Count / 2;
            var upper = new List<string>(MaxChunk);
            upper.AddRange(chunk.GetRange(half, chunk.Count - half));
            chunk.RemoveRange(half, chunk.Count - half);
            _chunks.Insert(chunkIndex + 1, upper);
            if (position > half)
            {
                chunk = upper;
                position -= half;
            }
        }

        chunk.Insert(position, key);
        Count++;
        return true;
    }

    /// <summary>Removes a key; returns false when it was absent.</summary>
    public bool Remove(string key)
    {
        if (_chunks.Count == 0)
        {
            return false;
        }

        var chunkIndex = FindChunk(key);
        var chunk = _chunks[chunkIndex];
        var position = chunk.BinarySearch(key, StringComparer.Ordinal);
        if (position < 0)
        {
            return false;
        }

        chunk.RemoveAt(position);
        if (chunk.Count == 0)
        {
            _chunks.RemoveAt(chunkIndex);
        }

        Count--;
        return true;
    }

    public void Clear()
    {
        _chunks.Clear();
        Count = 0;
    }

    /// <summary>All keys in ordinal order. Do not change the index while enumerating.</summary>
    public IEnumerable<string> EnumerateAll()
    {
        foreach (var chunk in _chunks)
        {
            foreach (var key in chunk)
            {
                yield return key;
            }
        }
    }

    /// <summary>Keys ≥ <paramref name="lowerInclusive"/> in ordinal order. Do not change the index while enumerating.</summary>
    public IEnumerable<string> EnumerateFrom(string lowerInclusive)
    {
        if (_chunks.Count == 0)
        {
            yield break;
        }

        var chunkIndex = FindChunk(lowerInclusive);
        var position = _chunks[chunkIndex].BinarySearch(lowerInclusive, StringComparer.Ordinal);
        if (position < 0)
        {
            position = ~position;
        }

        for (; chunkIndex < _chunks.Count; chunkIndex++, position = 0)
        {
            var chunk = _chunks[chunkIndex];
            for (; position < chunk.Count; position++)
            {
                yield return chunk[position];
            }
        }
    }

    /// <summary>The last chunk whose first key is ≤ <paramref name="key"/> (the first chunk if none is).</summary>
    private int FindChunk(string key)
    {
        int low = 0, high = _chunks.Count - 1, found = 0;
        while (low <= high)
        {
            var middle = low + ((high - low) / 2);
            if (string.CompareOrdinal(_chunks[middle][0], key) <= 0)
            {
                found = middle;
                low = middle + 1;
            }
            else
            {
                high = middle - 1;
            }
        }

        return found;
    }
}
