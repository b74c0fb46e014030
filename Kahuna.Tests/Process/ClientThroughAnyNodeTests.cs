using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>Three real <c>kahuna</c> processes: a client that knows only one node can do everything through it.</summary>
[Collection("cluster")]
public sealed class ClientThroughAnyNodeTests(LiveClusterFixture fixture) : IClassFixture<LiveClusterFixture>
{
    [Fact]
    public async Task EachNodeAlone_ServesKeysLocksAndSequences_InEveryPartition()
    {
        var cluster = fixture.Cluster;
        await cluster.RunAsync(async () =>
        {
            var keys = cluster.Keys;
            foreach (var nodeId in cluster.NodeIds)
            {
                await using var client = cluster.ClientOf(nodeId);
                foreach (var partition in keys.All)
                {
                    // Keys: write through this node, read back, compare-and-set on the revision it returned.
                    var key = keys.Key(partition, $"via-{nodeId}");
                    var set = await client.SetAsync(key, $"value from {nodeId}");
                    Assert.True(set.Succeeded, $"set {key} through {nodeId}");
                    var got = await client.GetAsync(key);
                    Assert.Equal($"value from {nodeId}", got.ValueAsString());
                    Assert.Equal(set.Revision, got.Revision);
                    Assert.True((await client.CompareRevisionAndSetAsync(key, "changed", set.Revision)).Succeeded);

                    // Locks: acquire, busy for someone else, release; the next grant has a higher fencing token.
                    var resource = keys.Key(partition, $"lock-{nodeId}");
                    var first = await client.TryLockAsync(resource, LockOwner.NewRandom(), TimeSpan.FromSeconds(30));
                    Assert.True(first.Acquired, $"lock {resource} through {nodeId}");
                    Assert.False((await client.TryLockAsync(resource, LockOwner.NewRandom(), TimeSpan.FromSeconds(30))).Acquired);
                    Assert.True((await client.UnlockAsync(resource, first.Owner)).Released);
                    var second = await client.TryLockAsync(resource, LockOwner.NewRandom(), TimeSpan.FromSeconds(30));
                    Assert.True(second.FencingToken > first.FencingToken, $"token {second.FencingToken} after {first.FencingToken}");

                    // Sequences: ranges through this node follow the ones taken before.
                    var name = keys.Key(partition, "shared-sequence");
                    var a = await client.NextSequenceAsync(name, 5);
                    var b = await client.NextSequenceAsync(name);
                    Assert.True(b.Start >= a.End, $"[{b.Start}] after [{a.Start}, {a.End})");
                }
            }

            // What one node wrote, every other node reads (the answer comes from the partition leader, wherever it is).
            foreach (var reader in cluster.NodeIds)
            {
                await using var client = cluster.ClientOf(reader);
                foreach (var writer in cluster.NodeIds)
                foreach (var partition in keys.All)
                    Assert.Equal("changed", (await client.GetAsync(keys.Key(partition, $"via-{writer}"))).ValueAsString());
                var info = await client.GetLockAsync(keys.Key(0, $"lock-{cluster.NodeIds[0]}"));
                Assert.True(info.Found);
            }
        });
    }
}
