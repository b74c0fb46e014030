namespace Kahuna.Tests.Reliability.Checkers.Register;

/// <summary>An observation no write can explain: which step observed what, and (if any) the best writer and what overwrote it.</summary>
internal sealed record UnexplainedObservation(RegisterStep Observer, RegisterStep? Writer, RegisterStep? Overwriter);

/// <summary>
/// A necessary condition for linearizability, checked in O(n log n) before the search, so the commonest anomalies
/// are found at once whatever the concurrency and explained exactly. Whoever observes a value v (an ok read, or an
/// ok cas through its expected value) needs a writer X of v (a write, cas or delete, ok or info; or the initial
/// state) that can be the last state change before it:
/// <list type="bullet">
/// <item>X was invoked no later than the observer completed (else X cannot precede it), and</item>
/// <item>no ok operation Y writing something other than v was invoked after X completed and completed before the
/// observer was invoked (else Y certainly falls between them and overwrites v).</item>
/// </list>
/// An info X completes at +infinity, so it is never certainly overwritten. The later X completes, the fewer Y can
/// overwrite it, so only the latest-completing writer invoked in time needs testing.
/// </summary>
internal static class ObservationPrecheck
{
    public static List<UnexplainedObservation> Find(IReadOnlyList<RegisterStep> steps, RegisterValue initial)
    {
        var writersByValue = new Dictionary<RegisterValue, WriterIndex>();
        WriterIndex WritersOf(RegisterValue v) => writersByValue.TryGetValue(v, out var w) ? w : writersByValue[v] = new WriterIndex();
        WritersOf(initial).Add(null, double.NegativeInfinity, double.NegativeInfinity);
        foreach (var s in steps)
            if (s.Kind != RegisterStepKind.Read) WritersOf(s.Written).Add(s, s.Invoke, s.Complete);
        foreach (var w in writersByValue.Values) w.Seal();

        var overwriters = new OverwriterIndex(steps.Where(s => s.Kind != RegisterStepKind.Read && !s.IsInfo));
        var unexplained = new List<UnexplainedObservation>();
        foreach (var observer in steps)
        {
            bool observes = observer.Kind == RegisterStepKind.Read || (observer.Kind == RegisterStepKind.Cas && !observer.IsInfo);
            if (!observes) continue;
            if (!writersByValue.TryGetValue(observer.Required, out var writers))
            {
                unexplained.Add(new UnexplainedObservation(observer, null, null));
                continue;
            }
            if (!writers.TryLatestCompletingInvokedBy(observer.Complete, out var writer, out double writerComplete))
            {
                unexplained.Add(new UnexplainedObservation(observer, null, null));
                continue;
            }
            if (overwriters.EarliestCompletingInvokedAfter(writerComplete, observer.Required) is { } y && y.Complete < observer.Invoke)
                unexplained.Add(new UnexplainedObservation(observer, writer, y));
        }
        return unexplained;
    }

    /// <summary>The writers of one value by invoke time, with the running maximum of their completion.</summary>
    private sealed class WriterIndex
    {
        private readonly List<(double Invoke, double Complete, RegisterStep? Step)> _writers = new();
        private (double Complete, RegisterStep? Step)[] _latestUpTo = [];

        public void Add(RegisterStep? step, double invoke, double complete) => _writers.Add((invoke, complete, step));

        public void Seal()
        {
            _writers.Sort((a, b) => a.Invoke.CompareTo(b.Invoke));
            _latestUpTo = new (double, RegisterStep?)[_writers.Count];
            for (int i = 0; i < _writers.Count; i++)
            {
                var w = _writers[i];
                _latestUpTo[i] = i > 0 && _latestUpTo[i - 1].Complete >= w.Complete ? _latestUpTo[i - 1] : (w.Complete, w.Step);
            }
        }

        /// <summary>Among writers invoked at or before <paramref name="time"/>, the one completing last (null step = initial state).</summary>
        public bool TryLatestCompletingInvokedBy(double time, out RegisterStep? writer, out double complete)
        {
            int lo = 0, hi = _writers.Count; // first writer invoked after time
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_writers[mid].Invoke <= time) lo = mid + 1; else hi = mid;
            }
            (writer, complete) = lo == 0 ? (null, 0) : (_latestUpTo[lo - 1].Step, _latestUpTo[lo - 1].Complete);
            return lo > 0;
        }
    }

    /// <summary>
    /// Ok state changes by invoke time, with, for every suffix, the earliest-completing one and the earliest-completing
    /// one among those writing a different value (so a query can exclude any one value).
    /// </summary>
    private sealed class OverwriterIndex
    {
        private readonly RegisterStep[] _byInvoke;
        private readonly (RegisterStep? Best, RegisterStep? BestOtherValue)[] _suffix;

        public OverwriterIndex(IEnumerable<RegisterStep> okChanges)
        {
            _byInvoke = okChanges.OrderBy(s => s.Invoke).ToArray();
            _suffix = new (RegisterStep?, RegisterStep?)[_byInvoke.Length + 1];
            for (int i = _byInvoke.Length - 1; i >= 0; i--)
            {
                var s = _byInvoke[i];
                var (best, other) = _suffix[i + 1];
                if (best is null || s.Complete < best.Value.Complete)
                    _suffix[i] = best is not null && best.Value.Written != s.Written ? (s, best) : (s, other);
                else if (best.Value.Written != s.Written && (other is null || s.Complete < other.Value.Complete))
                    _suffix[i] = (best, s);
                else
                    _suffix[i] = (best, other);
            }
        }

        /// <summary>Among ok changes invoked strictly after <paramref name="time"/> and writing something other than <paramref name="kept"/>, the earliest to complete.</summary>
        public RegisterStep? EarliestCompletingInvokedAfter(double time, RegisterValue kept)
        {
            int lo = 0, hi = _byInvoke.Length;
            while (lo < hi)
            {
                int mid = (lo + hi) / 2;
                if (_byInvoke[mid].Invoke <= time) lo = mid + 1; else hi = mid;
            }
            var (best, other) = _suffix[lo];
            return best is { } b && b.Written != kept ? b : other;
        }
    }
}
