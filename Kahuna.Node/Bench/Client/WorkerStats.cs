using HdrHistogram;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Bench.Client;

/// <summary>The kinds of operation a report has a row for.</summary>
public enum BenchOp
{
    Get,
    Set,
    Lock,
    Sequence,
}

/// <summary>How one operation ended. Only successes go into the latency histograms and the ops/s figure.</summary>
public enum BenchOutcome
{
    Success,
    /// <summary>A normal negative answer: the key was absent, the lock was busy. Not an error.</summary>
    Miss,
    /// <summary>A fault (by category in <see cref="WorkerStats.Errors"/>).</summary>
    Error,
    /// <summary>No answer within the per-operation timeout.</summary>
    Timeout,
}

/// <summary>
/// One worker's counters and latency histograms (µs, 3 significant digits). Only its own worker writes to it, so
/// it needs no locks; the runner merges them when the phase has ended.
/// </summary>
public sealed class WorkerStats
{
    private static readonly int OpCount = Enum.GetValues<BenchOp>().Length;
    private static readonly int OutcomeCount = Enum.GetValues<BenchOutcome>().Length;

    private readonly LongHistogram[] _latency;
    private readonly long[,] _counts = new long[OpCount, OutcomeCount];
    private readonly double[] _sumMicros = new double[OpCount];

    public WorkerStats(long maxMicros)
    {
        MaxMicros = maxMicros;
        _latency = Enumerable.Range(0, OpCount).Select(_ => new LongHistogram(maxMicros, 3)).ToArray();
    }

    public long MaxMicros { get; }

    /// <summary>Errors by category (a <see cref="Protocol.KahunaStatus"/> name, or an exception type).</summary>
    public Dictionary<string, long> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>Times a sequence value did not exceed the one this worker received before it.</summary>
    public long SequenceViolations { get; private set; }

    public void Record(BenchOp op, BenchOutcome outcome, long micros)
    {
        _counts[(int)op, (int)outcome]++;
        if (outcome != BenchOutcome.Success)
            return;
        long clamped = Math.Clamp(micros, 1, MaxMicros);
        _latency[(int)op].RecordValue(clamped);
        _sumMicros[(int)op] += clamped;
    }

    public void RecordError(BenchOp op, string category, long micros)
    {
        Record(op, BenchOutcome.Error, micros);
        Errors[category] = Errors.GetValueOrDefault(category) + 1;
    }

    public void RecordSequenceViolation() => SequenceViolations++;

    public long Count(BenchOp op, BenchOutcome outcome) => _counts[(int)op, (int)outcome];

    public LongHistogram Latency(BenchOp op) => _latency[(int)op];

    public double SumMicros(BenchOp op) => _sumMicros[(int)op];

    /// <summary>Adds <paramref name="other"/>'s counts, histograms and errors into this one.</summary>
    public void Add(WorkerStats other)
    {
        for (int op = 0; op < OpCount; op++)
        {
            _latency[op].Add(other._latency[op]);
            _sumMicros[op] += other._sumMicros[op];
            for (int outcome = 0; outcome < OutcomeCount; outcome++)
                _counts[op, outcome] += other._counts[op, outcome];
        }
        foreach (var (category, count) in other.Errors)
            Errors[category] = Errors.GetValueOrDefault(category) + count;
        SequenceViolations += other.SequenceViolations;
    }

    public static WorkerStats Merge(IEnumerable<WorkerStats> workers, long maxMicros)
    {
        var total = new WorkerStats(maxMicros);
        foreach (var worker in workers)
            total.Add(worker);
        return total;
    }
}

/// <summary>How an exception from an operation is reported.</summary>
public static class BenchErrors
{
    /// <summary>True for a failure that means "no answer in time" rather than a wrong answer.</summary>
    public static bool IsTimeout(Exception exception) => exception switch
    {
        KahunaException k => k.Status == Protocol.KahunaStatus.Timeout,
        TimeoutException => true,
        _ => false,
    };

    /// <summary>The category an error is counted under: the status of a Kahuna fault, otherwise the exception type.</summary>
    public static string Categorize(Exception exception) => exception switch
    {
        KahunaException k => k.Status.ToString(),
        UnexpectedOutcomeException u => u.Category,
        _ => exception.GetType().Name,
    };
}
