using System.Text;
using Akka.Actor;
using Kahuna.Node.Bench;
using Kahuna.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Kahuna.Tests.Raft.Actors.CounterApplication;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// kahuna.raft.retain-applied-entries: every replica, the leader included, keeps only a short tail of applied
/// entries in memory; the leader never drops one a member of its group still lacks, so a follower that was away
/// catches up with entries, not a snapshot.
/// </summary>
[Collection("cluster")]
public sealed class RetainAppliedEntriesTests(ITestOutputHelper output)
{
    private static readonly string[] Three = ["n1", "n2", "n3"];
    private const int Retain = 40;
    // No checkpoint during the test: whatever leaves memory leaves it because of the retain setting. A long election
    // timeout (2-4 s) keeps one leader throughout on a loaded machine: a leader that steps down, even for a moment,
    // drops its entries as a follower, and then rightly ships a snapshot to anyone further behind.
    private static readonly string Settings =
        $"retain-applied-entries = {Retain}\nsnapshot-every-entries = 1000000\nsnapshot-max-entries = 1000000\nsnapshot-every-bytes = 1GiB\n" +
        "election-ticks = 40";

    [Fact]
    public async Task Leader_KeepsOnlyATail_ButEverythingAnAbsentFollowerLacks_WhichCatchesUpWithEntries()
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication(), Settings);
        await cluster.StartGroupAsync("g1", Three);
        var leader = await cluster.AwaitLeaderAsync("g1");
        await WriteAsync(cluster, leader, 0, 400);

        // Everyone holds everything: each replica, the leader too, is down to a tail of at most three times Retain.
        foreach (var node in Three)
            await Eventually.Value(async () =>
            {
                var st = await cluster.StatusAsync(node, "g1");
                return st.Raft.Applied >= 400 && st.Raft.LastIndex - st.Raft.FirstIndex + 1 <= 3 * Retain ? st : null;
            }, TimeSpan.FromSeconds(30), $"{node} keeping a short tail of its log");

        // A follower away: the leader keeps every entry it lacks.
        var away = Three.First(n => n != leader);
        var before = await cluster.StatusAsync(away, "g1");
        await cluster.StopNodeAsync(away);
        leader = await cluster.AwaitLeaderAsync("g1");
        await WriteAsync(cluster, leader, 400, 400);
        var held = await cluster.StatusAsync(leader, "g1");
        Assert.True(held.Raft.FirstIndex <= before.Raft.Applied + 1,
            $"the leader dropped entries from {held.Raft.FirstIndex} on while {away} holds only up to {before.Raft.Applied}");

        // Back: it catches up from the leader's entries (no snapshot was ever taken or sent), then the tail shrinks again.
        await cluster.StartNodeAsync(away);
        var caughtUp = await Eventually.Value(async () =>
        {
            var st = await cluster.StatusAsync(away, "g1");
            return st.Raft.Applied >= held.Raft.Commit ? st : null;
        }, TimeSpan.FromSeconds(60), $"{away} catching up");
        var leaderNow = await cluster.StatusAsync(await cluster.AwaitLeaderAsync("g1"), "g1");
        output.WriteLine($"entries held by {held.Raft.Id} in term {held.Raft.Term}; leader now {leaderNow.Raft.Id} in term " +
                         $"{leaderNow.Raft.Term}; the follower's snapshot index {caughtUp.SnapshotIndex}");
        if (leaderNow.Raft.Term == held.Raft.Term) Assert.Equal(0, caughtUp.SnapshotIndex);
        await WriteAsync(cluster, await cluster.AwaitLeaderAsync("g1"), 800, 2 * Retain);
        await Eventually.Value(async () =>
        {
            var st = await cluster.StatusAsync(await cluster.AwaitLeaderAsync("g1"), "g1");
            return st.Raft.LastIndex - st.Raft.FirstIndex + 1 <= 3 * Retain ? st : null;
        }, TimeSpan.FromSeconds(30), "the leader dropping the entries once every replica holds them");

        await CounterGroup.AwaitConvergedOnLeaderAsync(cluster, "g1", Three, TimeSpan.FromSeconds(30));
    }

    /// <summary>Writes w{from}..w{from+count-1}, 20 at a time, through whichever replica leads (elections are retried).</summary>
    private static async Task WriteAsync(LocalRaftCluster cluster, string leader, int from, int count)
    {
        for (var i = from; i < from + count;)
        {
            var replica = await cluster.ReplicaAsync(leader, "g1");
            var batch = Enumerable.Range(i, Math.Min(20, from + count - i))
                .Select(n => replica.Ask<object>(new Write(Encoding.UTF8.GetBytes($"w{n}")), TimeSpan.FromSeconds(10)));
            var replies = await Task.WhenAll(batch);
            if (replies.All(r => r is Written))
            {
                i += replies.Length;
                continue;
            }
            // A leader change: the batch is written again (the counter counts a duplicate, which no assertion minds).
            leader = await cluster.AwaitLeaderAsync("g1");
        }
    }
}
