using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Routing;

/// <summary>
/// Merges the partitions' parts of one scan page into the page a client gets. Each part is in key order and was cut
/// by its own bounds; a part that was cut says after which key it stopped (its <see cref="ScanResponse.NextStartAfter"/>),
/// and only keys up to the earliest such key are known in full across all partitions. So the page holds the keys up
/// to that point, in order, cut again at the page's limit and size, and says where the next page starts: after its
/// last key if it was cut, else after the earliest stop, else nowhere (the scan is complete).
/// </summary>
internal static class ScanMerge
{
    public static ScanResponse Merge(IReadOnlyList<ScanResponse> parts, int limit, int maxBytes)
    {
        string? stop = null;
        foreach (var part in parts)
        {
            if (part.NextStartAfter is { } after && (stop is null || string.CompareOrdinal(after, stop) < 0))
                stop = after;
        }

        var known = new List<ScanItem>();
        foreach (var part in parts)
        {
            foreach (var item in part.Items ?? [])
            {
                if (stop is null || string.CompareOrdinal(item.Key, stop) <= 0)
                    known.Add(item);
            }
        }
        known.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));

        var count = 0;
        long bytes = 0;
        while (count < known.Count)
        {
            if (count > 0 && (count >= limit || bytes >= maxBytes))
                return Page(known, count, known[count - 1].Key);
            bytes += SizeOf(known[count]);
            count++;
        }
        return Page(known, count, stop);
    }

    /// <summary>What an item adds to a page, the same measure the partitions cut their parts by.</summary>
    internal static long SizeOf(ScanItem item) => item.Key.Length * 3L + item.Value.Length;

    private static ScanResponse Page(List<ScanItem> items, int count, string? nextStartAfter) => new()
    {
        Status = Kahuna.Protocol.KahunaStatus.Ok,
        Items = count == items.Count ? items.ToArray() : items.GetRange(0, count).ToArray(),
        NextStartAfter = nextStartAfter,
    };
}
