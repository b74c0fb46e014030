using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Simulation;

namespace Kahuna.Tests.Raft.Core.Harness;

/// <summary>Randomness that always answers the same value, so election timeouts are exactly known in a test.</summary>
internal sealed class FixedRandom(int value = 0) : IRaftRandom
{
    public int Next(int maxExclusive) => Math.Min(value, maxExclusive - 1);
}

/// <summary>
/// Replicas wired by hand (etcd's test network): messages are delivered only when the test says so, links can be
/// cut, and each replica persists its Ready batches into an in-memory disk.
/// </summary>
internal sealed class TestNetwork
{
    private readonly Dictionary<string, RaftNode> _nodes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SimStorage> _disks = new(StringComparer.Ordinal);
    private readonly HashSet<(string, string)> _cut = new();
    private readonly Queue<RaftMessage> _mailbox = new();

    public Dictionary<string, List<LogEntry>> Applied { get; } = new(StringComparer.Ordinal);
    public List<RaftMessage> Sent { get; } = new();
    public List<ReadState> ReadStates { get; } = new();

    public static TestNetwork Create(int voters, Func<RaftOptions, RaftOptions>? tweak = null)
    {
        var net = new TestNetwork();
        var ids = Enumerable.Range(1, voters).Select(i => $"n{i}").ToList();
        var config = RaftConfiguration.Of(ids);
        foreach (var id in ids) net.Add(id, RaftStorageState.Bootstrap(config), tweak);
        return net;
    }

    /// <summary>
    /// A group with n1 elected. Timeouts of 19 ticks by default (<paramref name="randomTimeout"/> 9 added to 10), so
    /// every replica can be ticked past its first election timeout without campaigning.
    /// </summary>
    public static TestNetwork Elected(int voters, Func<RaftOptions, RaftOptions>? tweak = null, int randomTimeout = 9)
    {
        var net = Create(voters, o => (tweak?.Invoke(o) ?? o) with { Random = new FixedRandom(randomTimeout) });
        foreach (var n in net.Nodes.ToList()) net.Tick(n.Id, 10);
        net.Campaign("n1");
        if (!net["n1"].IsLeader) throw new InvalidOperationException("n1 did not become leader");
        return net;
    }

    public static RaftOptions Options(string id) => new()
    {
        Id = id, ElectionTicks = 10, HeartbeatTicks = 1, PreVote = false, CheckQuorum = false, Random = new FixedRandom(),
    };

    public RaftNode Add(string id, RaftStorageState state, Func<RaftOptions, RaftOptions>? tweak = null)
    {
        var options = Options(id);
        if (tweak is not null) options = tweak(options);
        var node = new RaftNode(options, state);
        _nodes[id] = node;
        _disks[id] = new SimStorage(state.Snapshot);
        Applied[id] = new List<LogEntry>();
        return node;
    }

    public RaftNode this[string id] => _nodes[id];
    public IEnumerable<RaftNode> Nodes => _nodes.Values;
    public SimStorage Disk(string id) => _disks[id];

    public void Cut(string a, string b) { _cut.Add((a, b)); _cut.Add((b, a)); }
    public void Isolate(string a) { foreach (var b in _nodes.Keys) if (b != a) Cut(a, b); }
    public void Heal() => _cut.Clear();

    /// <summary>Collects every replica's Ready (persist, queue messages, apply) without delivering anything.</summary>
    public void Flush()
    {
        foreach (var (id, node) in _nodes)
        {
            while (node.HasReady())
            {
                var rd = node.GetReady();
                _disks[id].Persist(rd);
                foreach (var raw in rd.Messages)
                {
                    // Like the host: a snapshot request leaves with the newest snapshot on disk attached.
                    var m = raw is SnapshotRequest s ? s with { Metadata = _disks[id].Snapshot, Data = _disks[id].SnapshotData } : raw;
                    Sent.Add(m);
                    _mailbox.Enqueue(m);
                }
                Applied[id].AddRange(rd.CommittedEntries);
                ReadStates.AddRange(rd.ReadStates);
                node.Advance(rd);
            }
        }
    }

    /// <summary>Delivers messages (and the messages they cause) until the network is quiet.</summary>
    public void Stabilize(int maxMessages = 100_000)
    {
        Flush();
        var delivered = 0;
        while (_mailbox.Count > 0)
        {
            if (++delivered > maxMessages) throw new InvalidOperationException("network did not quiesce");
            var m = _mailbox.Dequeue();
            if (_cut.Contains((m.From, m.To)) || !_nodes.TryGetValue(m.To, out var to)) continue;
            to.Step(m);
            if (m is SnapshotRequest) _nodes[m.From].ReportSnapshotStatus(m.To, delivered: true);
            Flush();
        }
    }

    /// <summary>Drops every queued message (and forgets what was sent).</summary>
    public void DropAll()
    {
        _mailbox.Clear();
        Sent.Clear();
    }

    public void Campaign(string id)
    {
        _nodes[id].Campaign();
        Stabilize();
    }

    public void Tick(string id, int ticks = 1)
    {
        for (var i = 0; i < ticks; i++) _nodes[id].Tick();
    }

    public ProposeResult Propose(string id, string data)
    {
        var result = _nodes[id].Propose(Encoding.UTF8.GetBytes(data));
        Stabilize();
        return result;
    }

    public List<T> SentOfType<T>() where T : RaftMessage => Sent.OfType<T>().ToList();

    public static string Text(LogEntry e) => Encoding.UTF8.GetString(e.Data.Span);
}
