namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// The last lines a process wrote (stdout and stderr interleaved as they arrive), for failure messages and for
/// waiting on a log line; lines are numbered from the first one ever added, across restarts.
/// </summary>
internal sealed class OutputTail(int capacity = 2000)
{
    private readonly Queue<string> _lines = new();
    private readonly object _gate = new();
    private long _total;

    /// <summary>How many lines were ever added (the number the next line gets).</summary>
    public long Total
    {
        get
        {
            lock (_gate)
                return _total;
        }
    }

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
            _total++;
            while (_lines.Count > capacity)
                _lines.Dequeue();
        }
    }

    /// <summary>The last <paramref name="count"/> lines, stack-trace frames ("   at …") left out to keep messages short.</summary>
    public IReadOnlyList<string> Last(int count)
    {
        lock (_gate)
            return _lines.Where(l => !l.StartsWith("   at ", StringComparison.Ordinal)).TakeLast(count).ToList();
    }

    /// <summary>The kept lines numbered <paramref name="first"/> and after.</summary>
    public IReadOnlyList<string> Since(long first)
    {
        lock (_gate)
        {
            long skip = Math.Max(0, first - (_total - _lines.Count));
            return _lines.Skip((int)Math.Min(skip, _lines.Count)).ToList();
        }
    }
}
