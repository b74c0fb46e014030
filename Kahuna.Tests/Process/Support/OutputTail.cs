namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>The last lines a process wrote (stdout and stderr interleaved as they arrive), for failure messages.</summary>
internal sealed class OutputTail(int capacity = 400)
{
    private readonly Queue<string> _lines = new();
    private readonly object _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Enqueue(line);
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
}
