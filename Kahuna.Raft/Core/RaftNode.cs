namespace Kahuna.Raft.Core;

/// <summary>
/// One replica's Raft state machine, in the style of etcd's RawNode: the host feeds it messages
/// (<see cref="Step"/>), logical time (<see cref="Tick"/>) and proposals, then collects a <see cref="Ready"/>
/// of what to persist, send and apply, and calls <see cref="Advance"/>. It never reads a clock, a socket or a
/// disk, and draws randomness only from <see cref="RaftOptions.Random"/>, so a run is reproducible from its inputs.
/// Not thread-safe: one caller at a time (the replica actor).
/// </summary>
public sealed partial class RaftNode
{
    private readonly RaftOptions _options;
    private readonly RaftLog _log;
    private readonly Dictionary<string, Progress> _progress = new(StringComparer.Ordinal);
    private readonly Dictionary<string, bool> _votes = new(StringComparer.Ordinal);
    private List<RaftMessage> _messages = new();

    private long _term;
    private string? _votedFor;
    private string? _leader;
    private RaftRole _role;
    private int _electionElapsed;
    private int _heartbeatElapsed;
    private int _randomizedElectionTimeout;
    private long _ticks;
    private bool _deferredTimeDecisions;
    // Under lease reads, a replica that just started does not know whether a leader holds a lease; it refuses votes
    // for one election timeout, as if it had just heard from a leader, so a restart cannot shorten anyone's lease.
    private bool _startupLease;

    // Index of the newest configuration entry a leader may not yet see committed; no new change until it is.
    private long _pendingConfigIndex;
    private string? _transferTarget;
    private long _uncommittedBytes;

    // The newest snapshot the host holds and can ship to a follower that fell behind the log's first index.
    private SnapshotMetadata _latestSnapshot;
    // A snapshot received from the leader that the host has not yet persisted and applied.
    private RaftSnapshot? _pendingSnapshot;

    // What the last Ready reported, to detect changes.
    private HardState _lastHardState;
    private SoftState _lastSoftState;

    // Bookkeeping for the Ready handed out and not yet advanced.
    private bool _readyOutstanding;
    // Term and vote as last persisted (recovered, or in a Ready since advanced).
    private long _durableTerm;
    private string? _durableVote;

    // The commit index recorded on disk when the log held less than it at start (0: nothing lost), and the term on
    // disk then. See MissesCommittedEntries. The log never shrinks below a committed index, so once it reaches this
    // one the replica has what it lost.
    private long _lostEntriesUpTo;
    private long _lostEntriesTerm;

    public RaftNode(RaftOptions options, RaftStorageState storage)
    {
        options.Validate();
        _options = options;
        _startupLease = options.ReadMode == ReadMode.LeaseBased;
        _log = new RaftLog(storage.Snapshot);
        foreach (var e in storage.Entries) _log.Append(e);
        _latestSnapshot = storage.Snapshot;
        // Everything recovered from storage is persisted by definition.
        if (_log.LastIndex > 0) _log.StableTo(_log.LastIndex, _log.LastTerm);
        _term = storage.HardState.Term;
        _votedFor = storage.HardState.VotedFor;
        (_durableTerm, _durableVote) = (_term, _votedFor);
        _log.CommitTo(Math.Min(storage.HardState.Commit, _log.LastIndex));
        if (storage.HardState.Commit > _log.LastIndex)
        {
            _lostEntriesUpTo = storage.HardState.Commit;
            _lostEntriesTerm = storage.HardState.Term;
        }
        _lastHardState = CurrentHardState;
        BecomeFollower(_term, null);
        _lastSoftState = CurrentSoftState;
    }

    public string Id => _options.Id;
    public long Term => _term;
    public RaftRole Role => _role;
    public string? Leader => _leader;
    public bool IsLeader => _role == RaftRole.Leader;
    public long CommitIndex => _log.Committed;
    public long AppliedIndex => _log.Applied;
    public long LastIndex => _log.LastIndex;
    public long FirstIndex => _log.FirstIndex;
    public RaftConfiguration Configuration => _log.Configuration;
    public SnapshotMetadata LatestSnapshot => _latestSnapshot;
    /// <summary>Highest index the host has persisted.</summary>
    public long StableIndex => _log.Stable;
    /// <summary>True once this leader has committed an entry of its own term (it then knows the commit index, §8).</summary>
    public bool CommittedInCurrentTerm => _log.TermOrZero(_log.Committed) == _term;

    /// <summary>On a leader: the term of the last entry before its first own entry (0 when the log was empty).</summary>
    public long TermBeforeLeadership { get; private set; }

    /// <summary>Term, vote and commit as they stand now (persisted or about to be).</summary>
    public HardState HardState => CurrentHardState;

    /// <summary>Entries in (fromExclusive, toInclusive] still in memory (the host's checkpoints carry them).</summary>
    public IReadOnlyList<LogEntry> EntriesBetween(long fromExclusive, long toInclusive)
    {
        var lo = Math.Max(fromExclusive + 1, _log.FirstIndex);
        var hi = Math.Min(toInclusive, _log.LastIndex);
        return lo > hi ? Ready.NoEntries : _log.Slice(lo, hi + 1, long.MaxValue);
    }

    /// <summary>The only voter of its group: it needs nobody's vote and nobody's acknowledgement.</summary>
    public bool IsSoleVoter => _log.Configuration.Voters.Count == 1 && _log.Configuration.IsVoter(Id);

    /// <summary>
    /// True when this replica may campaign: it is a voter in its current membership, or it was a voter before an
    /// uncommitted change removed it. The latter may still be needed to elect a leader that can commit that change
    /// (thesis §4.2.2); it counts votes by the new membership, so it cannot win without it.
    /// </summary>
    private bool Promotable
    {
        get
        {
            if (MissesCommittedEntries) return false;
            if (_log.Configuration.IsVoter(Id)) return true;
            var lastChange = _log.LastConfigIndex;
            return lastChange > _log.Committed && _log.ConfigurationAt(lastChange - 1).IsVoter(Id);
        }
    }

    /// <summary>
    /// True while this replica holds fewer entries than the commit index it recorded before a restart (see
    /// <see cref="RaftOptions.VoteDespiteLostEntries"/>). It acknowledged what it lost, so a vote for just any
    /// up-to-date-looking candidate could elect a leader without a committed entry: it does not campaign, and votes
    /// only for a candidate that must hold those entries (<see cref="HoldsWhatWeLost"/>). Once a leader has
    /// replicated up to that index again, it votes as usual. A lone voter has nobody to get them from: it carries on.
    /// </summary>
    public bool MissesCommittedEntries =>
        _lostEntriesUpTo > _log.LastIndex
        && !_options.VoteDespiteLostEntries
        && !IsSoleVoter;

    // While entries are missing, the commit index written down stays the one recorded before (above the log's end), so
    // a restart before the replica got them back still knows it lacks them (a vote persisted meanwhile would otherwise
    // write the lower index and forget).
    private HardState CurrentHardState => new(_term, _votedFor, MissesCommittedEntries ? _lostEntriesUpTo : _log.Committed);
    private SoftState CurrentSoftState => new(_leader, _role);

    public RaftStatus Status() => new(
        Id, _role, _term, _leader, _log.Committed, _log.Applied, _log.FirstIndex, _log.LastIndex, _log.Stable,
        _log.Configuration,
        _progress.ToDictionary(p => p.Key, p => p.Value.Match).ToImmutableDictionaryOrdinal(),
        MissesCommittedEntries ? _lostEntriesUpTo : 0);

    /// <summary>The leader's view of a follower's replication (for tests, status and transfer decisions).</summary>
    public string? DescribeProgress(string replicaId) => _progress.TryGetValue(replicaId, out var p) ? p.ToString() : null;

    /// <summary>Advances logical time by one tick.</summary>
    public void Tick() => Tick(1);

    /// <summary>
    /// Advances logical time by <paramref name="count"/> ticks at once, as a host does after a stall in which it could
    /// not tick (a late timer, a long write, a pause of the process). Time itself is counted in full, so leases expire
    /// on time. But the decisions time alone would take (a follower's campaign, a leader's check-quorum step-down) wait
    /// for the next call: the heartbeats and answers that arrived during the stall are still queued, and judging the
    /// quorum twice in one burst, with nothing stepped in between, would depose a leader whose followers all answered.
    /// Only one call in a row defers, so a host whose every tick is late still decides, and a call decides at most once.
    /// </summary>
    public void Tick(int count)
    {
        var mayDecide = count <= 1 || _deferredTimeDecisions;
        _deferredTimeDecisions = !mayDecide;
        var heartbeatSent = false;
        for (var i = 0; i < count; i++)
        {
            _ticks++;
            if (_role == RaftRole.Leader) TickLeader(ref mayDecide, ref heartbeatSent);
            else TickElection(ref mayDecide);
        }
    }

    private void TickElection(ref bool mayDecide)
    {
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTicks) _startupLease = false;
        if (Promotable && _electionElapsed >= _randomizedElectionTimeout)
        {
            if (!mayDecide)
            {
                _electionElapsed = _randomizedElectionTimeout - 1; // due: the next call campaigns unless a leader is heard
                return;
            }
            mayDecide = false;
            _electionElapsed = 0;
            Campaign(transfer: false);
        }
    }

    private void TickLeader(ref bool mayDecide, ref bool heartbeatSent)
    {
        _heartbeatElapsed++;
        _electionElapsed++;
        if (_electionElapsed >= _options.ElectionTicks && !mayDecide)
        {
            _electionElapsed = _options.ElectionTicks; // due: the next call judges the quorum
        }
        else if (_electionElapsed >= _options.ElectionTicks)
        {
            mayDecide = false;
            _electionElapsed = 0;
            if (_options.CheckQuorum && !QuorumRecentlyActive())
            {
                BecomeFollower(_term, null);
                return;
            }
            // A transfer that did not finish within an election timeout is abandoned (thesis §3.10).
            _transferTarget = null;
        }
        if (_heartbeatElapsed >= HeartbeatInterval)
        {
            _heartbeatElapsed = 0;
            if (!heartbeatSent) BroadcastHeartbeat(); // one round per burst is enough
            heartbeatSent = true;
        }
    }

    /// <summary>Starts an election now (tests, and a sole voter that should not wait out an election timeout).</summary>
    public void Campaign() => Campaign(transfer: false);

    /// <summary>Feeds a message from another replica of the group.</summary>
    public void Step(RaftMessage m)
    {
        if (m.To != Id) return;
        if (!StepTerm(m)) return;
        switch (m)
        {
            case VoteRequest vr:
                HandleVoteRequest(vr);
                return;
        }
        switch (_role)
        {
            case RaftRole.Leader: StepLeader(m); break;
            case RaftRole.Candidate:
            case RaftRole.PreCandidate: StepCandidate(m); break;
            default: StepFollower(m); break;
        }
    }

    /// <summary>
    /// The rules on terms common to every role (§5.1, plus pre-vote and check-quorum). Returns false when the
    /// message must be dropped.
    /// </summary>
    private bool StepTerm(RaftMessage m)
    {
        if (m.Term > _term)
        {
            if (m is VoteRequest vr)
            {
                // Check-quorum lease: while we hear from a live leader, ignore campaigns unless the leader asked for it.
                var inLease = _options.CheckQuorum && (_leader is not null || _startupLease) && _electionElapsed < _options.ElectionTicks;
                if (!vr.Transfer && inLease) return false;
                if (vr.PreVote) return true; // a pre-vote never changes our term
            }
            else if (m is VoteResponse { PreVote: true, Granted: true })
            {
                return true; // granted pre-votes carry the term we would campaign in; not a reason to step down
            }
            var leader = m is AppendRequest or HeartbeatRequest or SnapshotRequest ? m.From : null;
            BecomeFollower(m.Term, leader);
            return true;
        }
        if (m.Term < _term)
        {
            if ((_options.CheckQuorum || _options.PreVote) && m is AppendRequest or HeartbeatRequest)
            {
                // A stale leader (e.g. one that was cut off) learns the newer term and steps down; without this it
                // could keep a pre-vote-guarded group from ever electing (etcd's note on pre-vote + check-quorum).
                Send(new AppendResponse(Id, m.From, _term, false, 0, 0, 0));
            }
            else if (m is VoteRequest { PreVote: true } pre)
            {
                Send(new VoteResponse(Id, pre.From, _term, false, true));
            }
            return false;
        }
        return true;
    }

    private void HandleVoteRequest(VoteRequest m)
    {
        // §5.2 and §5.4.1: one vote per term, and only for a log at least as up to date as ours. A pre-vote for a
        // later term is granted on the log check alone; it binds nothing.
        var canVote = (!MissesCommittedEntries || HoldsWhatWeLost(m))
                      && (_votedFor == m.From
                          || (_votedFor is null && _leader is null)
                          || (m.PreVote && m.Term > _term));
        if (canVote && _log.IsUpToDate(m.LastLogIndex, m.LastLogTerm))
        {
            Send(new VoteResponse(Id, m.From, m.PreVote ? m.Term : _term, true, m.PreVote));
            if (!m.PreVote)
            {
                _electionElapsed = 0;
                _votedFor = m.From;
            }
        }
        else
        {
            Send(new VoteResponse(Id, m.From, _term, false, m.PreVote));
        }
    }

    /// <summary>
    /// Whether a candidate must hold the committed entries this replica lost: every entry up to the recorded commit
    /// index C was committed in a term no later than the term T on disk then, and by leader completeness the leader
    /// of any term from T on holds it; a log whose last entry is of such a term and at or past C matches that
    /// leader's log up to there (log matching), so it holds entry C and everything before it.
    /// </summary>
    private bool HoldsWhatWeLost(VoteRequest m) => m.LastLogTerm >= _lostEntriesTerm && m.LastLogIndex >= _lostEntriesUpTo;

    private void Send(RaftMessage m) => _messages.Add(m);
}

internal static class DictionaryExtensions
{
    public static System.Collections.Immutable.ImmutableDictionary<string, long> ToImmutableDictionaryOrdinal(this Dictionary<string, long> d) =>
        System.Collections.Immutable.ImmutableDictionary.CreateRange(StringComparer.Ordinal, d);
}
