using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

/// <summary>
/// The ground truth the invariants are checked against: every entry ever committed (by anyone), the leader of
/// every term, and which data each (index, term) pair carries.
/// </summary>
internal sealed class SimHistory
{
    private readonly Dictionary<long, (long Term, string Data)> _committed = new();
    private readonly Dictionary<(long Index, long Term), string> _entries = new();
    private readonly Dictionary<long, string> _leaders = new();

    public long CommitIndex { get; private set; }
    public int LeadersElected => _leaders.Count;
    public long ReadsChecked { get; set; }
    public long WritesAcknowledged { get; set; }

    public static string Describe(LogEntry e) =>
        e.IsConfiguration ? $"config[{e.Configuration}]" : e.Data.Length == 0 ? "noop" : System.Text.Encoding.UTF8.GetString(e.Data.Span);

    /// <summary>Election safety (§5.2): at most one leader per term.</summary>
    public void LeaderElected(long term, string id)
    {
        if (_leaders.TryGetValue(term, out var other) && other != id)
            throw new SimulationViolation($"election safety: {other} and {id} both lead term {term}");
        _leaders[term] = id;
    }

    /// <summary>One leader per term means one (index, term) pair names one entry everywhere (the basis of log matching).</summary>
    public void EntrySeen(LogEntry e)
    {
        var data = Describe(e);
        if (_entries.TryGetValue((e.Index, e.Term), out var known) && known != data)
            throw new SimulationViolation($"log matching: entry ({e.Index},{e.Term}) is '{known}' on one replica and '{data}' on another");
        _entries[(e.Index, e.Term)] = data;
    }

    /// <summary>No committed entry is ever replaced: the committed log only grows, and every replica agrees on it.</summary>
    public void Committed(LogEntry e, string by)
    {
        var data = Describe(e);
        if (_committed.TryGetValue(e.Index, out var known))
        {
            if (known.Term != e.Term || known.Data != data)
                throw new SimulationViolation($"committed entry {e.Index} was ({known.Term},'{known.Data}') but {by} committed ({e.Term},'{data}')");
            return;
        }
        _committed[e.Index] = (e.Term, data);
    }

    public void CommitObserved(long index)
    {
        if (index > CommitIndex) CommitIndex = index;
    }

    public bool TryGetCommitted(long index, out (long Term, string Data) entry) => _committed.TryGetValue(index, out entry);

    /// <summary>State machine safety: what a replica applies at an index is what was committed there.</summary>
    public void Applied(LogEntry e, string by)
    {
        if (!_committed.TryGetValue(e.Index, out var known))
            throw new SimulationViolation($"{by} applied entry {e.Index} that nobody has committed");
        if (known.Term != e.Term || known.Data != Describe(e))
            throw new SimulationViolation($"state machine safety: {by} applied ({e.Term},'{Describe(e)}') at {e.Index} but ({known.Term},'{known.Data}') was committed");
    }
}
