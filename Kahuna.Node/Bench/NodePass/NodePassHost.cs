using Akka.Actor;
using Akka.Event;
using Kahuna.Node.Storage;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;
using Kahuna.Raft.Persistence;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Node.Bench.NodePass;

/// <summary>
/// `kahuna bench raft --shell node-pass`: a prototype of a node-wide Raft pass, to measure what it would give against
/// the product's one-actor-per-replica shell (BENCHMARKS.md, "A node-wide pass, measured"). Every group of the node
/// lives in this one actor as a pure <see cref="RaftNode"/>. A pass takes the Readies of all groups that have one and
/// are not waiting for a write, hands the node's log writer ONE operation with all their rows (the journal's row format),
/// sends ONE batch per peer, and finishes every group of the pass from one callback. While a group's Ready is being
/// written, that group's messages wait (as Persist makes a replica's wait); the other groups go on. Measurement only:
/// no snapshots, no restarts, no membership changes, no reads.
/// </summary>
public sealed class NodePassHost : ReceiveActor, IWithTimers
{
    public sealed record StartGroup(string GroupId, IReadOnlyList<string> Voters);
    public sealed record SetPeers(IReadOnlyDictionary<string, IActorRef> Peers);
    public sealed record GetLeader(string GroupId);
    private sealed record Pass;
    private sealed record PassDone(List<(RaftNode Core, string Group, Ready Rd, bool Sent)> Readies, Exception? Error);
    private sealed record Tick;

    private readonly string _node;
    private readonly SqliteLogWriter _writer;
    private readonly RaftSettings _settings;
    private readonly Dictionary<string, RaftNode> _cores = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _seq = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HardState> _persisted = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, long), (IActorRef To, BenchApplication.Propose P, long Term)> _pending = new();
    private readonly Dictionary<string, List<RaftEnvelope>> _outgoing = new(StringComparer.Ordinal);
    // Groups whose Ready is being written, and what arrived for them meanwhile (run in order once it is durable).
    private readonly HashSet<string> _busy = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Action<RaftNode>>> _held = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, IActorRef> _peers = new Dictionary<string, IActorRef>();
    private bool _passScheduled;

    public ITimerScheduler Timers { get; set; } = null!;

    public NodePassHost(string node, SqliteLogWriter writer, RaftSettings settings)
    {
        _node = node;
        _writer = writer;
        _settings = settings;
        Receive<SetPeers>(p => _peers = p.Peers);
        Receive<StartGroup>(s =>
        {
            var core = new RaftNode(settings.ToOptions(_node, new PerGroupRandom()), RaftStorageState.Bootstrap(RaftConfiguration.Of(s.Voters)));
            _cores[s.GroupId] = core;
            _seq[s.GroupId] = 0;
            _persisted[s.GroupId] = default;
            Sender.Tell(true);
            SchedulePass();
        });
        Receive<GetLeader>(g => Sender.Tell(_cores.TryGetValue(g.GroupId, out var c) ? c.Leader ?? "" : ""));
        Receive<RaftEnvelopeBatch>(b =>
        {
            foreach (var e in b.Envelopes)
            {
                var m = e.Message;
                WhenFree(e.GroupId, c => c.Step(m));
            }
            SchedulePass();
        });
        Receive<BenchApplication.Propose>(p =>
        {
            var group = "b" + p.Group;
            var sender = Sender;
            WhenFree(group, core =>
            {
                var r = core.Propose(p.Payload);
                if (!r.Accepted)
                {
                    sender.Tell(new BenchApplication.ProposeFailed(p.Group, p.SentAt, r.LeaderHint));
                    return;
                }
                _pending[(group, r.Index)] = (sender, p, r.Term);
            });
            SchedulePass();
        });
        Receive<Tick>(_ =>
        {
            foreach (var g in _cores.Keys) WhenFree(g, c => c.Tick());
            SchedulePass();
        });
        Receive<Pass>(_ =>
        {
            _passScheduled = false;
            RunPass();
        });
        Receive<PassDone>(d =>
        {
            if (d.Error is not null)
            {
                // No restart path in a prototype: say so and stop; the benchmark then reports what was committed.
                Context.GetLogger().Error(d.Error, "node pass on {0}: the journal write failed; stopping", _node);
                Context.Stop(Self);
                return;
            }
            Finish(d.Readies);
            foreach (var (_, group, _, _) in d.Readies)
            {
                _busy.Remove(group);
                if (_held.TryGetValue(group, out var q))
                    while (q.Count > 0) q.Dequeue()(_cores[group]);
            }
            SchedulePass();
        });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("tick", new Tick(), _settings.TickInterval);

    /// <summary>Runs now, or (while the group's Ready is being written) after that write, in order.</summary>
    private void WhenFree(string group, Action<RaftNode> action)
    {
        if (!_cores.TryGetValue(group, out var core)) return;
        if (!_busy.Contains(group))
        {
            action(core);
            return;
        }
        if (!_held.TryGetValue(group, out var q)) _held[group] = q = new Queue<Action<RaftNode>>();
        q.Enqueue(action);
    }

    private void SchedulePass()
    {
        if (_passScheduled) return;
        _passScheduled = true;
        Self.Tell(new Pass());
    }

    private void RunPass()
    {
        var writing = new List<(RaftNode, string, Ready, bool)>();
        var immediate = new List<(RaftNode, string, Ready, bool)>();
        var rows = new List<JournalRow>();
        var serialization = Context.System.Serialization;
        var created = DateTime.UtcNow.Ticks;
        foreach (var (group, core) in _cores)
        {
            if (_busy.Contains(group) || !core.HasReady()) continue;
            var rd = core.GetReady();
            if (rd.Snapshot is not null) throw new NotSupportedException("snapshots are not part of this experiment");
            var persisted = _persisted[group];
            var sendEarly = core.IsLeader && rd.SoftState is null &&
                            (rd.HardState is not { } h || (h.Term == persisted.Term && h.VotedFor == persisted.VotedFor));
            if (sendEarly) Collect(group, rd);
            if (rd.Entries.Count > 0 || rd.MustSync)
            {
                var evt = new EntriesAppended(rd.HardState, rd.Entries);
                var serializer = serialization.FindSerializerFor(evt);
                rows.Add(new JournalRow($"np-{group}-{_node}", ++_seq[group], created, serializer.ToBinary(evt), serializer.Identifier,
                    Akka.Serialization.Serialization.ManifestFor(serializer, evt), "np"));
                writing.Add((core, group, rd, sendEarly));
            }
            else immediate.Add((core, group, rd, sendEarly));
        }
        if (immediate.Count > 0) Finish(immediate);
        else FlushOutgoing();
        if (writing.Count == 0)
        {
            if (immediate.Count > 0) SchedulePass();
            return;
        }
        foreach (var (_, group, _, _) in writing) _busy.Add(group);
        var self = Self;
        _writer.Enqueue(new PassOperation(rows, error => self.Tell(new PassDone(writing, error))));
    }

    private void Finish(List<(RaftNode Core, string Group, Ready Rd, bool Sent)> readies)
    {
        foreach (var (core, group, rd, sent) in readies)
        {
            if (rd.HardState is { } hs) _persisted[group] = hs;
            if (!sent) Collect(group, rd);
            foreach (var e in rd.CommittedEntries)
                if (_pending.Remove((group, e.Index), out var p))
                {
                    if (p.Term == e.Term) p.To.Tell(new BenchApplication.Proposed(p.P.Group, p.P.SentAt));
                    else p.To.Tell(new BenchApplication.ProposeFailed(p.P.Group, p.P.SentAt, core.Leader));
                }
            core.Advance(rd);
            // As the replica shell does: a short tail of applied entries in memory, so long runs do not grow the heap.
            core.DiscardAppliedKeeping(_settings.RetainAppliedEntries);
        }
        FlushOutgoing();
    }

    private void Collect(string group, Ready rd)
    {
        foreach (var m in rd.Messages)
        {
            if (!_outgoing.TryGetValue(m.To, out var list)) _outgoing[m.To] = list = new List<RaftEnvelope>();
            list.Add(new RaftEnvelope(group, m));
        }
    }

    private void FlushOutgoing()
    {
        foreach (var (peer, list) in _outgoing)
        {
            if (list.Count == 0) continue;
            if (_peers.TryGetValue(peer, out var host)) host.Tell(new RaftEnvelopeBatch(list.ToList()), Self);
            list.Clear();
        }
    }

    private sealed class PassOperation(List<JournalRow> rows, Action<Exception?> done) : LogWriterOperation
    {
        public override int Rows => rows.Count;
        public override void Execute(SqliteLogWriter writer) { foreach (var r in rows) writer.Insert(r); }
        public override void Complete() => done(null);
        public override void Fail(Exception error) => done(error);
    }

    /// <summary>Election timeouts drawn per group, so groups do not campaign in step.</summary>
    private sealed class PerGroupRandom : IRaftRandom
    {
        private readonly Random _random = new(Guid.NewGuid().GetHashCode());
        public int Next(int maxExclusive) => _random.Next(maxExclusive);
    }
}
