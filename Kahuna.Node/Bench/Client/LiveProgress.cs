using System.Diagnostics;
using System.Globalization;
using HdrHistogram;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// The live view of a phase: workers report every operation here (lock-free: counters and an HdrHistogram
/// <see cref="Recorder"/>), and once a second a line goes to the writer with the elapsed time, the ops/s of the
/// last second, the operations in flight and the p99 of the last second. On a terminal the line is rewritten in
/// place; otherwise (a file, a pipe, a test) each report is its own line.
/// </summary>
public sealed class LiveProgress
{
    private readonly TextWriter? _writer;
    private readonly bool _overwrite;
    private readonly Recorder _recent;
    private readonly long _maxMicros;
    private long _successes;
    private long _failures;
    private long _misses;
    private int _inFlight;

    /// <param name="writer">Where lines go (null: nowhere; the counters still work).</param>
    /// <param name="overwrite">Rewrite one line with a carriage return (for an interactive terminal).</param>
    /// <param name="maxMicros">Largest latency the rolling histogram holds.</param>
    public LiveProgress(TextWriter? writer, bool overwrite, long maxMicros)
    {
        _writer = writer;
        _overwrite = overwrite;
        _maxMicros = maxMicros;
        _recent = new Recorder(1, maxMicros, 2, (id, lowest, highest, digits) => new LongHistogram(id, lowest, highest, digits));
    }

    public int InFlight => Volatile.Read(ref _inFlight);
    public long Successes => Interlocked.Read(ref _successes);

    public void Started() => Interlocked.Increment(ref _inFlight);

    /// <summary>An operation cut off by the end of the phase: it is not counted anywhere.</summary>
    public void Abandoned() => Interlocked.Decrement(ref _inFlight);

    public void Finished(BenchOutcome outcome, long micros)
    {
        Interlocked.Decrement(ref _inFlight);
        switch (outcome)
        {
            case BenchOutcome.Success:
                Interlocked.Increment(ref _successes);
                _recent.RecordValue(Math.Clamp(micros, 1, _maxMicros));
                break;
            case BenchOutcome.Miss:
                Interlocked.Increment(ref _misses);
                break;
            default:
                Interlocked.Increment(ref _failures);
                break;
        }
    }

    /// <summary>A free-form progress line (seeding, phase changes).</summary>
    public void Note(string line)
    {
        if (_writer is null)
            return;
        lock (_writer)
        {
            if (_overwrite)
                _writer.Write("\r\u001b[2K");
            _writer.WriteLine($"[bench] {line}");
        }
    }

    /// <summary>Prints a line once a second until <paramref name="stop"/> fires, then ends the line.</summary>
    public async Task ReportEverySecondAsync(string phase, TimeSpan planned, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        long lastSuccesses = Successes;
        var lastTick = clock.Elapsed;
        HistogramBase? recycled = null;
        _recent.Reset();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                var now = clock.Elapsed;
                long successes = Successes;
                var interval = _recent.GetIntervalHistogram(recycled);
                recycled = interval;
                double seconds = Math.Max(0.001, (now - lastTick).TotalSeconds);
                double rate = (successes - lastSuccesses) / seconds;
                double p99 = interval.TotalCount == 0 ? 0 : interval.GetValueAtPercentile(99) / 1000.0;
                lastSuccesses = successes;
                lastTick = now;
                Write(string.Create(CultureInfo.InvariantCulture,
                    $"{phase} {now.TotalSeconds,4:F0}s/{planned.TotalSeconds:F0}s  {rate,8:N0} ops/s  in-flight {InFlight,4}  p99 {p99,7:F2} ms  " +
                    $"misses {Interlocked.Read(ref _misses)}  errors {Interlocked.Read(ref _failures)}"));
            }
        }
        catch (OperationCanceledException)
        {
            // The phase is over.
        }
        if (_overwrite && _writer is not null)
            lock (_writer) _writer.WriteLine();
    }

    private void Write(string line)
    {
        if (_writer is null)
            return;
        lock (_writer)
        {
            if (_overwrite)
                _writer.Write($"\r\u001b[2K[bench] {line}");
            else
                _writer.WriteLine($"[bench] {line}");
        }
    }

    /// <summary>Clears the counters for the next phase (call when no worker is running).</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _successes, 0);
        Interlocked.Exchange(ref _failures, 0);
        Interlocked.Exchange(ref _misses, 0);
        Volatile.Write(ref _inFlight, 0);
        _recent.Reset();
    }
}
