using System.Diagnostics;

namespace Kahuna.Tests.Reliability.Checkers.Register;

internal enum SearchVerdict
{
    Linearizable,
    NotLinearizable,
    BudgetExceeded,
}

internal sealed record SearchBudget(long MaxSteps, int MaxStates, TimeSpan TimeLimit);

/// <summary>What the search found: the verdict, its cost, and the longest linearizable prefix it reached (step ids).</summary>
internal sealed record SearchResult(SearchVerdict Verdict, long Steps, int States, TimeSpan Elapsed, IReadOnlyList<int> LongestPrefix);

/// <summary>
/// The Wing–Gong linearizability search with Lowe's memoization, for one key (the approach of Knossos' "wgl" and of
/// Porcupine), restated here with one change for operations of unknown outcome.
///
/// Ok operations sit in a doubly linked list of call and return entries sorted by time (calls before returns on a
/// tie, so touching operations count as concurrent). The search walks the list from its head: every call met before
/// the first return is a candidate to linearize next (its operation was invoked, and the earliest pending return
/// has not happened yet). Linearizing one that the model accepts, into a state not visited before, removes its call
/// and return ("lift") and starts again from the head; meeting a return means nothing more can go first, so the
/// search undoes the last choice and tries the next candidate. Lifting and undoing are O(1) relinks (dancing links).
///
/// Info operations have no return: they may take effect at any time after their invoke, or never. They live in a
/// second list and are candidates once invoked before the first pending return. They are tried only after every ok
/// candidate at that point, because taking effect early is rarely what explains a read: trying them last keeps a
/// valid history's search linear (the set of paths explored is the same, only its order changes). The search
/// succeeds as soon as every ok operation is linearized; an Info operation never linearized is one that never took
/// effect.
///
/// One reduction on top: a read in the window that fits the current state is a forced move (<see cref="FittingRead"/>),
/// so reads never multiply the orders to try; only writes, cas and deletes do.
/// </summary>
internal sealed class LinearizabilitySearch
{
    private readonly RegisterStep[] _steps;
    private readonly RegisterValue _initial;
    private readonly SearchBudget _budget;

    // Main list: one call and one return node per ok step; node _head is the sentinel of a circular list.
    private readonly int[] _next, _prev, _nodeStep, _returnOf;
    private readonly bool[] _isCall;
    private readonly double[] _nodeTime;
    private readonly int _head;
    private readonly int _okCount;

    // Info list: one node per info step, by invoke time; node _infoHead is its sentinel.
    private readonly int[] _infoNext, _infoPrev, _infoStep;
    private readonly int _infoHead;

    private readonly ulong[] _linearized;
    private readonly ulong[] _zobrist;
    private ulong _setHash;

    public LinearizabilitySearch(RegisterStep[] stepsByInvoke, RegisterValue initial, SearchBudget budget)
    {
        _steps = stepsByInvoke;
        _initial = initial;
        _budget = budget;
        _linearized = new ulong[(_steps.Length + 63) / 64];
        _zobrist = new ulong[_steps.Length];
        ulong seed = 0x2545F4914F6CDD1DUL;
        for (int i = 0; i < _zobrist.Length; i++) _zobrist[i] = SplitMix64(ref seed);

        var events = new List<(double Time, bool IsCall, int Step)>();
        var infos = new List<int>();
        for (int i = 0; i < _steps.Length; i++)
        {
            if (_steps[i].IsInfo)
            {
                infos.Add(i);
                continue;
            }
            events.Add((_steps[i].Invoke, true, i));
            events.Add((_steps[i].Complete, false, i));
        }
        _okCount = events.Count / 2;
        events.Sort((a, b) =>
        {
            int byTime = a.Time.CompareTo(b.Time);
            if (byTime != 0) return byTime;
            if (a.IsCall != b.IsCall) return a.IsCall ? -1 : 1;
            return a.Step.CompareTo(b.Step);
        });

        int n = events.Count;
        _head = n;
        (_next, _prev) = (new int[n + 1], new int[n + 1]);
        (_nodeStep, _returnOf, _isCall, _nodeTime) = (new int[n], new int[n], new bool[n], new double[n]);
        var callNodeOfStep = new Dictionary<int, int>();
        for (int node = 0; node < n; node++)
        {
            var e = events[node];
            (_nodeStep[node], _isCall[node], _nodeTime[node]) = (e.Step, e.IsCall, e.Time);
            if (e.IsCall) callNodeOfStep[e.Step] = node;
            else _returnOf[callNodeOfStep[e.Step]] = node;
        }
        LinkInOrder(_next, _prev, n);

        _infoHead = infos.Count;
        (_infoNext, _infoPrev, _infoStep) = (new int[infos.Count + 1], new int[infos.Count + 1], infos.ToArray());
        LinkInOrder(_infoNext, _infoPrev, infos.Count);
    }

    public SearchResult Run()
    {
        var clock = Stopwatch.StartNew();
        var visited = new VisitedStates();
        var stack = new List<Frame>();
        var longest = new List<int>();
        int longestSharedWithStack = 0; // how much of `longest` still equals the bottom of `stack`
        var state = _initial;
        int okDone = 0;
        long steps = 0;

        SearchResult Done(SearchVerdict verdict) => new(verdict, steps, visited.Count, clock.Elapsed, longest.ToArray());

        if (_okCount == 0) return Done(SearchVerdict.Linearizable);

        var phase = Phase.Arrive;
        int entry = _head;
        int infoEntry = _infoHead;
        double infoBound = 0;

        while (true)
        {
            if (++steps > _budget.MaxSteps || visited.Count > _budget.MaxStates ||
                ((steps & 1023) == 0 && clock.Elapsed > _budget.TimeLimit))
                return Done(SearchVerdict.BudgetExceeded);

            switch (phase)
            {
                case Phase.Arrive:
                    // A read that fits the current state can go next without loss of generality (see FittingRead),
                    // so it is the only choice tried here: if it leads nowhere, so does this configuration.
                    int read = FittingRead(state);
                    if (read < 0)
                    {
                        (phase, entry) = (Phase.Main, _next[_head]);
                    }
                    else if (TryLinearize(_nodeStep[read], ref state, visited, out var beforeRead))
                    {
                        Push(new Frame(_nodeStep[read], false, true, read, beforeRead, 0));
                        LiftMain(read);
                        if (++okDone == _okCount) return Done(SearchVerdict.Linearizable);
                    }
                    else phase = Phase.Backtrack;
                    continue;

                case Phase.Main:
                    if (entry != _head && _isCall[entry])
                    {
                        if (TryLinearize(_nodeStep[entry], ref state, visited, out var before))
                        {
                            Push(new Frame(_nodeStep[entry], false, false, entry, before, 0));
                            LiftMain(entry);
                            if (++okDone == _okCount) return Done(SearchVerdict.Linearizable);
                            phase = Phase.Arrive;
                        }
                        else entry = _next[entry];
                        continue;
                    }
                    // A return (or the end): no ok call left to try before it. Info operations invoked by then are next.
                    (phase, infoBound, infoEntry) = (Phase.Info, entry == _head ? double.PositiveInfinity : _nodeTime[entry], _infoNext[_infoHead]);
                    continue;

                case Phase.Info:
                    if (infoEntry != _infoHead && _steps[_infoStep[infoEntry]].Invoke <= infoBound)
                    {
                        if (TryLinearize(_infoStep[infoEntry], ref state, visited, out var before))
                        {
                            Push(new Frame(_infoStep[infoEntry], true, false, infoEntry, before, infoBound));
                            LiftInfo(infoEntry);
                            phase = Phase.Arrive;
                        }
                        else infoEntry = _infoNext[infoEntry];
                        continue;
                    }
                    phase = Phase.Backtrack;
                    continue;

                default:
                    // Every choice here failed: undo the last one and try the next choice after it. Undoing a forced
                    // read means its configuration failed as a whole, so keep undoing.
                    if (stack.Count == 0) return Done(SearchVerdict.NotLinearizable);
                    var frame = stack[^1];
                    stack.RemoveAt(stack.Count - 1);
                    longestSharedWithStack = Math.Min(longestSharedWithStack, stack.Count);
                    state = frame.StateBefore;
                    ToggleLinearized(frame.Step);
                    if (frame.IsInfo)
                    {
                        UnliftInfo(frame.Node);
                        (phase, infoBound, infoEntry) = (Phase.Info, frame.InfoBound, _infoNext[frame.Node]);
                    }
                    else
                    {
                        UnliftMain(frame.Node);
                        okDone--;
                        (phase, entry) = (frame.Forced ? Phase.Backtrack : Phase.Main, _next[frame.Node]);
                    }
                    continue;
            }
        }

        void Push(Frame frame)
        {
            stack.Add(frame);
            RecordDepth(stack, longest, ref longestSharedWithStack);
        }
    }

    /// <summary>
    /// The call node of a read in the current window that the state satisfies, or -1. Linearizing such a read next
    /// loses nothing: if some valid order goes on from here, moving the read to its front keeps it valid (the read
    /// changes no state, sees the same value, and being in the window nothing pending had to precede it).
    /// </summary>
    private int FittingRead(RegisterValue state)
    {
        for (int e = _next[_head]; e != _head && _isCall[e]; e = _next[e])
        {
            ref readonly var step = ref _steps[_nodeStep[e]];
            if (step.Kind == RegisterStepKind.Read && step.Required == state) return e;
        }
        return -1;
    }

    private bool TryLinearize(int step, ref RegisterValue state, VisitedStates visited, out RegisterValue before)
    {
        before = state;
        if (!_steps[step].TryApply(state, out var after)) return false;
        ToggleLinearized(step);
        if (!visited.TryAdd(_linearized, _setHash, after))
        {
            ToggleLinearized(step);
            return false;
        }
        state = after;
        return true;
    }

    private void ToggleLinearized(int step)
    {
        _linearized[step >> 6] ^= 1UL << (step & 63);
        _setHash ^= _zobrist[step];
    }

    /// <summary>Keeps a copy of the deepest stack seen, copying only the part that changed since the last copy.</summary>
    private static void RecordDepth(List<Frame> stack, List<int> longest, ref int shared)
    {
        if (stack.Count <= longest.Count) return;
        longest.RemoveRange(shared, longest.Count - shared);
        for (int i = shared; i < stack.Count; i++) longest.Add(stack[i].Step);
        shared = stack.Count;
    }

    private void LiftMain(int call)
    {
        Unlink(_next, _prev, call);
        Unlink(_next, _prev, _returnOf[call]);
    }

    private void UnliftMain(int call)
    {
        Relink(_next, _prev, _returnOf[call]);
        Relink(_next, _prev, call);
    }

    private void LiftInfo(int node) => Unlink(_infoNext, _infoPrev, node);

    private void UnliftInfo(int node) => Relink(_infoNext, _infoPrev, node);

    private static void Unlink(int[] next, int[] prev, int node)
    {
        next[prev[node]] = next[node];
        prev[next[node]] = prev[node];
    }

    private static void Relink(int[] next, int[] prev, int node)
    {
        next[prev[node]] = node;
        prev[next[node]] = node;
    }

    /// <summary>Links nodes 0..n-1 in order into a circular list whose sentinel is node n.</summary>
    private static void LinkInOrder(int[] next, int[] prev, int n)
    {
        for (int i = 0; i <= n; i++)
        {
            next[i] = i == n ? (n == 0 ? n : 0) : i + 1;
            prev[i] = i == 0 ? n : i - 1;
        }
        prev[n] = n == 0 ? n : n - 1;
    }

    private static ulong SplitMix64(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>One choice on the search path: which step, from which list node, and the state before it.</summary>
    private readonly record struct Frame(int Step, bool IsInfo, bool Forced, int Node, RegisterValue StateBefore, double InfoBound);

    private enum Phase
    {
        /// <summary>Just reached a new configuration: look for a forced move.</summary>
        Arrive,

        /// <summary>Trying the ok calls of the window in order, from <c>entry</c>.</summary>
        Main,

        /// <summary>Trying the info operations invoked by <c>infoBound</c>, from <c>infoEntry</c>.</summary>
        Info,

        Backtrack,
    }
}
