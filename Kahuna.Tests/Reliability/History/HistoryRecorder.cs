using System.Diagnostics;

namespace Kahuna.Tests.Reliability.History;

/// <summary>
/// Collects the history of a run. Workload clients call <see cref="Invoke"/> just before sending a request and complete
/// the returned <see cref="PendingOperation"/> just after the answer (or the give-up) with Ok, Fail or Info.
/// Thread-safe. Every timestamp comes from one monotonic clock read under the recorder's lock, so invoke and complete
/// times compare across processes, and the history's order is the order of invocation.
/// </summary>
public sealed class HistoryRecorder
{
    private readonly object _gate = new();
    private readonly Func<double> _clock;
    private readonly List<HistoryOperation> _operations = new();
    private readonly Dictionary<int, PendingOperation> _pendingByProcess = new();

    /// <param name="clock">Seconds, never decreasing. Default: a stopwatch started now.</param>
    public HistoryRecorder(Func<double>? clock = null)
    {
        if (clock is null)
        {
            long origin = Stopwatch.GetTimestamp();
            clock = () => (Stopwatch.GetTimestamp() - origin) / (double)Stopwatch.Frequency;
        }
        _clock = clock;
    }

    public int Count
    {
        get { lock (_gate) return _operations.Count; }
    }

    /// <summary>
    /// Records the invocation of <paramref name="operation"/> (its invoke time and status are set here). A process runs
    /// one operation at a time: invoking a second one before completing the first is a harness bug and throws.
    /// </summary>
    public PendingOperation Invoke(HistoryOperation operation)
    {
        lock (_gate)
        {
            if (_pendingByProcess.ContainsKey(operation.Process))
                throw new InvalidOperationException($"process {operation.Process} invoked an operation while another is still pending");
            double now = _clock();
            var invoked = operation with { Invoke = now, Complete = null, Status = OperationStatus.Info };
            var pending = new PendingOperation(this, _operations.Count, invoked);
            _operations.Add(invoked);
            _pendingByProcess[operation.Process] = pending;
            return pending;
        }
    }

    /// <summary>
    /// A copy of the history so far. Operations still pending are Info with <c>complete = null</c>: their client never
    /// heard back, so they may or may not take effect.
    /// </summary>
    public IReadOnlyList<HistoryOperation> Snapshot()
    {
        lock (_gate) return _operations.ToArray();
    }

    internal void Complete(PendingOperation pending, OperationStatus status, Func<HistoryOperation, HistoryOperation>? withResult, string? error)
    {
        lock (_gate)
        {
            if (pending.IsCompleted)
                throw new InvalidOperationException($"operation {pending.Index} of process {pending.Invoked.Process} completed twice");
            var completed = withResult is null ? pending.Invoked : withResult(pending.Invoked);
            if (completed.Process != pending.Invoked.Process || completed.F != pending.Invoked.F || completed.Key != pending.Invoked.Key)
                throw new InvalidOperationException("a completion may add results but not change process, f or key");
            _operations[pending.Index] = completed with
            {
                Invoke = pending.Invoked.Invoke,
                Complete = _clock(),
                Status = status,
                Error = error ?? completed.Error,
            };
            pending.IsCompleted = true;
            _pendingByProcess.Remove(pending.Invoked.Process);
        }
    }
}

/// <summary>An invoked operation waiting for its outcome. Complete it exactly once.</summary>
public sealed class PendingOperation
{
    private readonly HistoryRecorder _recorder;

    internal PendingOperation(HistoryRecorder recorder, int index, HistoryOperation invoked)
    {
        _recorder = recorder;
        Index = index;
        Invoked = invoked;
    }

    /// <summary>Position in the history (also the line number minus one in the JSON Lines file).</summary>
    public int Index { get; }

    public HistoryOperation Invoked { get; }

    internal bool IsCompleted { get; set; }

    /// <summary>It took effect. <paramref name="withResult"/> adds what the server answered, e.g. <c>op =&gt; op with { Value = v }</c>.</summary>
    public void Ok(Func<HistoryOperation, HistoryOperation>? withResult = null) => _recorder.Complete(this, OperationStatus.Ok, withResult, null);

    /// <summary>It certainly did not take effect.</summary>
    public void Fail(string? error = null) => _recorder.Complete(this, OperationStatus.Fail, null, error);

    /// <summary>Its outcome is unknown (timeout, lost connection, retryable status): it may take effect later or never.</summary>
    public void Info(string? error = null) => _recorder.Complete(this, OperationStatus.Info, null, error);
}
