using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>Three real nodes in one process: any node accepts any request, through the real client library.</summary>
[Collection("cluster")]
public sealed class NodeClusterTests
{
    [Fact]
    public async Task KeyValues_LocksAndSequences_WorkThroughEveryNode()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync();
        await using var all = cluster.Client();

        // Persistent keys: set through one node, read through each node alone.
        var set = await all.SetAsync("greeting", "hello");
        Assert.True(set.Succeeded);
        foreach (var node in cluster.Nodes)
        {
            await using var single = cluster.Client($"127.0.0.1:{node.ClientEndPoint.Port}");
            var got = await single.GetAsync("greeting");
            Assert.True(got.Found);
            Assert.Equal("hello", got.ValueAsString());
            Assert.Equal(set.Revision, got.Revision);
        }

        // Compare-and-set by revision and by value; conditional sets.
        Assert.False((await all.CompareRevisionAndSetAsync("greeting", "x", set.Revision + 100)).Succeeded);
        var cas = await all.CompareRevisionAndSetAsync("greeting", "hi", set.Revision);
        Assert.True(cas.Succeeded);
        Assert.True(cas.Revision > set.Revision);
        Assert.False((await all.SetAsync("greeting", "nope", flags: SetFlags.IfNotExists)).Succeeded);
        Assert.True((await all.CompareValueAndSetAsync("greeting", "hey", "hi")).Succeeded);
        var deleted = await all.DeleteAsync("greeting");
        Assert.True(deleted.Deleted);
        Assert.False((await all.GetAsync("greeting")).Found);
        Assert.False((await all.ExistsAsync("greeting")).Exists);

        // Ephemeral keys live apart from persistent ones.
        Assert.True((await all.SetAsync("greeting", "temp", durability: Durability.Ephemeral)).Succeeded);
        Assert.Equal("temp", (await all.GetAsync("greeting", Durability.Ephemeral)).ValueAsString());
        Assert.False((await all.GetAsync("greeting")).Found);

        // Locks: acquire, busy for another owner, idempotent for the same, release, tokens increase.
        var alice = LockOwner.NewRandom();
        var bob = LockOwner.NewRandom();
        var first = await all.TryLockAsync("jobs/1", alice, TimeSpan.FromSeconds(30));
        Assert.True(first.Acquired);
        Assert.False((await all.TryLockAsync("jobs/1", bob, TimeSpan.FromSeconds(30))).Acquired);
        Assert.Equal(first.FencingToken, (await all.TryLockAsync("jobs/1", alice, TimeSpan.FromSeconds(30))).FencingToken);
        Assert.Equal(KahunaStatus.NotOwner, (await all.UnlockAsync("jobs/1", bob)).Status);
        var info = await all.GetLockAsync("jobs/1");
        Assert.True(info.Found);
        Assert.Equal(first.FencingToken, info.FencingToken);
        Assert.True((await all.UnlockAsync("jobs/1", alice)).Released);
        var second = await all.TryLockAsync("jobs/1", bob, TimeSpan.FromSeconds(30));
        Assert.True(second.Acquired);
        Assert.True(second.FencingToken > first.FencingToken);

        // Ephemeral locks on a brand-new partition are granted at once.
        Assert.True((await all.TryLockAsync("eph/1", alice, TimeSpan.FromSeconds(5), Durability.Ephemeral)).Acquired);

        // Sequences: unique, increasing, ranges, idempotency keys.
        var a = await all.NextSequenceAsync("orders");
        var b = await all.NextSequenceAsync("orders", 10);
        Assert.True(b.Start >= a.End);
        Assert.Equal(10, b.Count);
        var idem1 = await all.NextSequenceAsync("orders", 3, "req-42");
        var idem2 = await all.NextSequenceAsync("orders", 3, "req-42");
        Assert.Equal(idem1, idem2);
        var values = new List<long>();
        for (var i = 0; i < 50; i++) values.AddRange((await all.NextSequenceAsync("ids", 2)).Values());
        Assert.Equal(values.Count, values.Distinct().Count());
        Assert.Equal(values.OrderBy(v => v), values);

        // Every node reports the same members and, once settled, a leader for every partition.
        // A follower learns the commit index with the leader's next message, so the answering node's view may lag a
        // heartbeat behind: poll (with a deadline) instead of asserting on the first answer.
        var status = await all.GetClusterStatusAsync();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (status.Partitions.Any(p => p.Leader is null || p.CommitIndex == 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
            status = await all.GetClusterStatusAsync();
        }
        Assert.Equal(["n1", "n2", "n3"], status.Members.Select(m => m.NodeId));
        Assert.Equal(4, status.Partitions.Length);
        Assert.All(status.Partitions, p => Assert.Contains(p.Leader, new[] { "n1", "n2", "n3" }));
        Assert.All(status.Partitions, p => Assert.True(p.CommitIndex > 0));
    }
}
