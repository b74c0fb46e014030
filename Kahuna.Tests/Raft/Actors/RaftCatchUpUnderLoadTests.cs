using System.Text;
using Akka.Actor;
using Kahuna.Node.Bench;
using Kahuna.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using static Kahuna.Tests.Raft.Actors.CounterApplication;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// The failure the original system hit on this hardware: a follower falls behind the leader's compacted log while
/// writes keep coming. It must catch up through a streamed snapshot while the load continues, and no node's log,
/// memory or files may grow without bound meanwhile.
/// </summary>
[Collection("cluster")]
public sealed class RaftCatchUpUnderLoadTests(ITestOutputHelper output)
{
    private static readonly string[] Three = ["n1", "n2", "n3"];
    private const long SnapshotEvery = 1000;
    private const long Retain = 100;

    [Fact]
    public async Task StoppedFollower_BehindCompactedLog_CatchesUpBySnapshot_WhileLoadContinues_WithBoundedLogAndDisk()
    {
        await using var cluster = await LocalRaftCluster.StartAsync(3, _ => new CounterApplication(), $"snapshot-every-entries = {SnapshotEvery}\ncompaction-retain-entries = {Retain}");
        await cluster.StartGroupAsync("g1", Three);
        var leader = await cluster.AwaitLeaderAsync("g1");
        var follower = Three.First(n => n != leader);

        using var stop = new CancellationTokenSource();
        var written = 0L;
        var maxLogLength = 0L;
        var load = Task.WhenAll(Enumerable.Range(0, 32).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var target = await cluster.AwaitLeaderAsync("g1");
                    var reply = await (await cluster.ReplicaAsync(target, "g1"))
                        .Ask<object>(new Write(Encoding.UTF8.GetBytes($"w{w}-{i++}")), TimeSpan.FromSeconds(10));
                    if (reply is Written) Interlocked.Increment(ref written);
                }
                catch (Exception) when (!stop.IsCancellationRequested)
                {
                    // a leader change or a stopped node: try again
                }
            }
        })));

        async Task SampleBounds()
        {
            foreach (var node in cluster.Running.ToList())
            {
                var st = await cluster.StatusAsync(node, "g1");
                maxLogLength = Math.Max(maxLogLength, st.Raft.LastIndex - st.Raft.FirstIndex + 1);
            }
        }

        await Eventually.True(() => Interlocked.Read(ref written) > 1500, TimeSpan.FromSeconds(60), "1500 writes before stopping the follower");
        var before = await cluster.StatusAsync(follower, "g1");
        await cluster.StopNodeAsync(follower);

        // Keep writing until the leader has compacted its log past everything the follower holds.
        await Eventually.Value(async () =>
        {
            await SampleBounds();
            var st = await cluster.StatusAsync(await cluster.AwaitLeaderAsync("g1"), "g1");
            return st.Raft.FirstIndex > before.Raft.LastIndex + 1 ? st : null;
        }, TimeSpan.FromSeconds(90), "the leader compacting past the stopped follower");

        await cluster.StartNodeAsync(follower);
        var caughtUpAt = Interlocked.Read(ref written);
        await Eventually.Value(async () =>
        {
            await SampleBounds();
            var leaderNode = await cluster.AwaitLeaderAsync("g1");
            var l = await cluster.StatusAsync(leaderNode, "g1");
            var f = await cluster.StatusAsync(follower, "g1");
            return f.SnapshotIndex > before.Raft.LastIndex && f.Raft.Applied >= l.Raft.Commit - 2000 && Interlocked.Read(ref written) > caughtUpAt + 200
                ? f : null;
        }, TimeSpan.FromSeconds(90), "the restarted follower installing a snapshot and catching up while writes continue");

        stop.Cancel();
        await load;

        // Everyone converges on the same state.
        var final = await CounterGroup.AwaitConvergedOnLeaderAsync(cluster, "g1", Three, TimeSpan.FromSeconds(60));

        // Bounded: the in-memory log never exceeds a snapshot interval plus what is retained and in flight,
        // and the journal files stay small because the journal below each snapshot is deleted.
        var diskBytes = Three.Sum(n => Directory.GetFiles(cluster.DataDirectory(n)).Sum(f => new FileInfo(f).Length));
        output.WriteLine($"writes={final.Count} maxLogLength={maxLogLength} disk={diskBytes / 1024} KiB for 3 nodes");
        Assert.True(final.Count >= written, "every acknowledged write is in the final state");
        Assert.True(maxLogLength <= SnapshotEvery + Retain + 3000, $"in-memory log grew to {maxLogLength} entries");
        Assert.True(diskBytes < 200L << 20, $"data directories grew to {diskBytes / (1 << 20)} MiB");
    }
}
