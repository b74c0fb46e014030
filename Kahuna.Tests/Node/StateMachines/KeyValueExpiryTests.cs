using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Protocol;
using Xunit;
using static Kahuna.Tests.Node.StateMachines.KeyValueStoreTests;

namespace Kahuna.Tests.Node.StateMachines;

public class KeyValueExpiryTests
{
    private static void SetWithTtl(KeyValueStore store, string key, long ttlMs, long nowMs) =>
        store.Set(key, V("v"), ttlMs, SetCondition.None, null, null, nowMs);

    [Fact]
    public void ExpiredKey_ReadsAsAbsent_AtExactlyItsExpiry()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "k", 100, 0);

        Assert.Equal(KahunaStatus.Ok, store.Get("k", 99).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 100).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Exists("k", 100).Status);
    }

    [Fact]
    public void ExpireKeys_RemovesOnlyReallyExpiredKeys_WithTombstones()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "a", 100, 0);                              // 1
        SetWithTtl(store, "b", 200, 0);                              // 2
        SetWithTtl(store, "c", 50, 0);                               // 3
        store.Extend("c", 1000, 40);                                 // no longer expired at 100
        store.Set("d", V("v"), 0, SetCondition.None, null, null, 0); // 4

        var result = store.ExpireKeys(["a", "b", "c", "d", "missing"], 100);

        Assert.Equal(1, result.Removed);
        Assert.Equal(5, store.CurrentRevision); // a's tombstone
        Assert.Equal(KahunaStatus.NotFound, store.Get("a", 5, 100).Status);
        Assert.Equal("v", Text(store.Get("a", 4, 100).Value));
        Assert.Equal(KahunaStatus.Ok, store.Get("b", 100).Status);
        Assert.Equal(KahunaStatus.Ok, store.Get("c", 100).Status);
        Assert.Equal(KahunaStatus.Ok, store.Get("d", 100).Status);
    }

    [Fact]
    public void ExpireKeys_TwiceForSameKey_RemovesItOnce()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "a", 100, 0);

        Assert.Equal(1, store.ExpireKeys(["a"], 100).Removed);
        Assert.Equal(0, store.ExpireKeys(["a"], 100).Removed);
        Assert.Equal(2, store.CurrentRevision);
    }

    [Fact]
    public void ListExpiredKeys_UsesTheIndex_EarliestFirst_UpToLimit()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "late", 300, 0);
        SetWithTtl(store, "early", 100, 0);
        SetWithTtl(store, "mid", 200, 0);
        SetWithTtl(store, "live", 10_000, 0);
        store.Set("none", V("v"), 0, SetCondition.None, null, null, 0);

        Assert.Equal(["early", "mid", "late"], store.ListExpiredKeys(300, 10));
        Assert.Equal(["early"], store.ListExpiredKeys(300, 1));
        Assert.Empty(store.ListExpiredKeys(99, 10));
    }

    [Fact]
    public void ListExpiredKeys_FollowsOverwritesDeletesAndExtends()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "overwritten", 100, 0);
        SetWithTtl(store, "deleted", 100, 0);
        SetWithTtl(store, "extended", 100, 0);
        SetWithTtl(store, "expiring", 100, 0);

        store.Set("overwritten", V("v"), 0, SetCondition.None, null, null, 10);
        store.Delete("deleted", 10);
        store.Extend("extended", 500, 10);

        Assert.Equal(["expiring"], store.ListExpiredKeys(100, 10));
        Assert.Equal(["expiring", "extended"], store.ListExpiredKeys(510, 10));
    }

    [Fact]
    public void ExpiredButNotRemovedKey_IsOverwrittenByAnUnconditionalSet()
    {
        var store = new KeyValueStore();
        SetWithTtl(store, "k", 100, 0);

        var result = store.Set("k", V("new"), 0, SetCondition.None, null, null, 200);

        Assert.Equal(2, result.Revision);
        Assert.Equal("new", Text(store.Get("k", 200).Value));
        Assert.Empty(store.ListExpiredKeys(200, 10));
    }
}
