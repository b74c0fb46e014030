using System.Text;
using Akka.Actor;
using Kahuna.Node.Bench;
using Kahuna.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Kahuna.Tests.Raft.Actors.CounterApplication;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>Raft groups hosted by replica actors on three ActorSystems forming a real cluster, persisted to SQLite.</summary>
[Collection("cluster")]
public sealed class RaftReplicaActorTests(ITestOutputHelper output)
{
    private static readonly string[] Three = ["n1", "n2", "n3"];
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    /// <summary>Writes <paramref name="count"/> distinct commands through the leader, retrying on leader changes.</summary>
    private static async Task<int> WriteManyAsync(LocalRaftCluster cluster, string group, int count, int inFlight = 256, string prefix = "w")
    {
        var written = 0;
        var next = 0;
        string? leader = null;
        async Task Worker()
        {
            while (true)
            {
                var i = Interlocked.Increment(ref next) - 1;
                if (i >= count) return;
                for (var attempt = 0; ; attempt++)
                {
                    if (attempt > 200) throw new InvalidOperationException($"write {i} to {group} kept failing");
                    var target = leader ??= await cluster.AwaitLeaderAsync(group);
                    object reply;
                    try
                    {
                        var replica = await cluster.ReplicaAsync(target, group);
                        reply = await replica.Ask<object>(new Write(Encoding.UTF8.GetBytes($"{prefix}{i}")), TimeSpan.FromSeconds(10));
                    }
                    catch (Exception) when (attempt < 200)
                    {
                        reply = new WriteFailed(Kahuna.Raft.Core.ProposeStatus.NotLeader, null);
                    }
                    if (reply is Written) { Interlocked.Increment(ref written); break; }
                    if (Volatile.Read(ref leader) == target) Volatile.Write(ref leader, null);
                }
            }
        }
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(_ => Worker()));
        return written;
    }

    private static async Task<ReadResult> PeekAsync(LocalRaftCluster cluster, string node, string group) =>
        await (await cluster.ReplicaAsync(node, group)).Ask<ReadResult>(new Peek(), TimeSpan.FromSeconds(5));

    private static async Task AwaitConvergedAsync(LocalRaftCluster cluster, string group, IEnumerable<string> nodes, long count)
    {
        foreach (var node in nodes)
        {
            await Eventually.Value(async () => (await PeekAsync(cluster, node, group)).Count == count ? "" : null, Long, $"{node} applied {count} writes");
        }
        var checksums = new HashSet<ulong>();
        foreach (var node in nodes) checksums.Add((await PeekAsync(cluster, node, group)).Checksum);
        Assert.Single(checksums);
    }

    [Fact]
    public async Task OneGroup_ElectsCommits10000_SurvivesLeaderLoss_AndRestartedNodeCatchesUpFromDisk()
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication());
        await cluster.StartGroupAsync("g1", Three);
        var leader = await cluster.AwaitLeaderAsync("g1");
        Assert.Equal(10_000, await WriteManyAsync(cluster, "g1", 10_000));
        var read = await (await cluster.ReplicaAsync(leader, "g1")).Ask<ReadResult>(new Read(), TimeSpan.FromSeconds(10));
        Assert.Equal(10_000, read.Count);
        await AwaitConvergedAsync(cluster, "g1", Three, 10_000);

        // The leader's whole node goes away: the other two elect a new leader and keep committing.
        await cluster.StopNodeAsync(leader);
        var survivors = Three.Where(n => n != leader).ToList();
        var newLeader = await cluster.AwaitLeaderAsync("g1");
        Assert.Contains(newLeader, survivors);
        Assert.Equal(500, await WriteManyAsync(cluster, "g1", 500, prefix: "after"));

        // The stopped node comes back from its SQLite files and catches up.
        await cluster.StartNodeAsync(leader);
        await AwaitConvergedAsync(cluster, "g1", Three, 10_500);
        var status = await cluster.StatusAsync(leader, "g1");
        output.WriteLine($"restarted {leader}: commit={status.Raft.Commit} journal seq={status.JournalSequenceNr}");
    }

    [Fact]
    public async Task ReplicaWithWipedData_IsRestoredBySnapshotInstall()
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication(), "snapshot-every-entries = 200\ncompaction-retain-entries = 10");
        await cluster.StartGroupAsync("g1", Three);
        var leader = await cluster.AwaitLeaderAsync("g1");
        Assert.Equal(1000, await WriteManyAsync(cluster, "g1", 1000, inFlight: 32));
        var victim = Three.First(n => n != leader);
        await cluster.WipeNodeAsync(victim);
        Assert.Equal(200, await WriteManyAsync(cluster, "g1", 200, inFlight: 32, prefix: "more"));
        await cluster.StartNodeAsync(victim);
        await AwaitConvergedAsync(cluster, "g1", Three, 1200);
        var status = await cluster.StatusAsync(victim, "g1");
        Assert.True(status.SnapshotIndex > 0, "the wiped replica must have been restored from a snapshot");
    }

    [Fact]
    public async Task ASoleVoter_LeadsWithoutWaitingForAnElectionTimeout_AtBootstrapAndAfterARestart()
    {
        // Ticks an hour apart: a replica that waited for its election timeout would not lead within the test.
        await using var cluster = await LocalRaftCluster.StartAsync(1, _ => new CounterApplication(), "tick-interval = 1h");
        await cluster.StartGroupAsync("solo", ["n1"]);

        Assert.Equal("n1", await cluster.AwaitLeaderAsync("solo", Long));
        Assert.Equal(20, await WriteManyAsync(cluster, "solo", 20, inFlight: 4));
        await cluster.StopNodeAsync("n1");
        await cluster.StartNodeAsync("n1");
        Assert.Equal("n1", await cluster.AwaitLeaderAsync("solo", Long));
        // The restarted leader applies the last writes once its own first entry commits (no tick needed for that).
        await AwaitConvergedAsync(cluster, "solo", ["n1"], 20);
    }

    [Fact]
    public async Task CheckpointsTakenOneAtATimePerNode_EveryReplicaStillGetsOne()
    {
        // Eight groups under the same load come due together; with one checkpoint at a time per node, those that find
        // the gate full take theirs later: at a later Ready or, once the writes have stopped, at a tick.
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication(),
            "snapshot-every-entries = 100\nmax-concurrent-checkpoints = 1");
        var groups = Enumerable.Range(0, 8).Select(i => $"c{i}").ToList();
        foreach (var g in groups) await cluster.StartGroupAsync(g, Three);

        await Task.WhenAll(groups.Select(g => WriteManyAsync(cluster, g, 150, inFlight: 16)));

        foreach (var g in groups)
        foreach (var n in Three)
            await Eventually.Value(async () => (await cluster.StatusAsync(n, g)).SnapshotIndex > 0 ? "" : null, Long, $"{g}@{n} took a checkpoint");
    }

    [Fact]
    public async Task SixtyFourGroups_OnThreeNodes_AllElectAndCommit()
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication());
        var groups = Enumerable.Range(0, 64).Select(i => $"p{i}").ToList();
        foreach (var g in groups) await cluster.StartGroupAsync(g, Three);
        var leaders = new Dictionary<string, int>();
        foreach (var g in groups)
        {
            var leader = await cluster.AwaitLeaderAsync(g);
            leaders[leader] = leaders.GetValueOrDefault(leader) + 1;
        }
        try
        {
            await Task.WhenAll(groups.Select(g => WriteManyAsync(cluster, g, 20, inFlight: 4)));
        }
        catch (Exception)
        {
            foreach (var g in groups)
            foreach (var n in Three)
            {
                var st = await cluster.StatusAsync(n, g);
                output.WriteLine($"{g}@{n}: {st.Raft.Role} t={st.Raft.Term} leader={st.Raft.Leader} commit={st.Raft.Commit} applied={st.Raft.Applied} last={st.Raft.LastIndex} stable={st.Raft.StableIndex} pending={st.PendingProposals} seq={st.JournalSequenceNr}");
            }
            throw;
        }
        foreach (var g in groups)
        {
            var leader = await cluster.AwaitLeaderAsync(g);
            Assert.Equal(20, (await (await cluster.ReplicaAsync(leader, g)).Ask<ReadResult>(new Read(), TimeSpan.FromSeconds(10))).Count);
        }
        output.WriteLine("leaders per node: " + string.Join(", ", leaders.Select(kv => $"{kv.Key}={kv.Value}")));
    }
}
