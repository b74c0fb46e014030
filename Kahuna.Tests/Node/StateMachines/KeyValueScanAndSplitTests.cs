using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Protocol;
using MessagePack;
using Xunit;
using static Kahuna.Tests.Node.StateMachines.KeyValueStoreTests;

namespace Kahuna.Tests.Node.StateMachines;

public class KeyValueScanAndSplitTests
{
    private static KeyValueStore StoreWith(params string[] keys)
    {
        var store = new KeyValueStore();
        foreach (var key in keys)
        {
            store.Set(key, V(key), 0, SetCondition.None, null, null, 0);
        }

        return store;
    }

    [Fact]
    public void ScanPrefix_ReturnsLiveKeysWithPrefixInOrdinalOrder()
    {
        var store = StoreWith("b/2", "a/1", "b/1", "b", "c/1", "b/10", "B/1");
        store.Delete("b/10", 0);

        var keys = store.ScanPrefix("b/", null, 100, 0).Select(item => item.Key);

        Assert.Equal(["b/1", "b/2"], keys);
    }

    [Fact]
    public void ScanPrefix_PagesWithStartAfterAndLimit()
    {
        var store = StoreWith(Enumerable.Range(0, 10).Select(index => $"p/{index}").Append("q").ToArray());

        var first = store.ScanPrefix("p/", null, 4, 0);
        var second = store.ScanPrefix("p/", first[^1].Key, 4, 0);
        var third = store.ScanPrefix("p/", second[^1].Key, 4, 0);

        Assert.Equal(["p/0", "p/1", "p/2", "p/3"], first.Select(item => item.Key));
        Assert.Equal(["p/4", "p/5", "p/6", "p/7"], second.Select(item => item.Key));
        Assert.Equal(["p/8", "p/9"], third.Select(item => item.Key));
    }

    [Fact]
    public void ScanPrefix_SkipsExpiredKeys_AndEmptyPrefixScansEverything()
    {
        var store = StoreWith("a", "b");
        store.Set("c", V("c"), 10, SetCondition.None, null, null, 0);

        Assert.Equal(["a", "b"], store.ScanPrefix("", null, 10, 10).Select(item => item.Key));
        Assert.Equal(["a", "b", "c"], store.ScanPrefix("", null, 10, 9).Select(item => item.Key));
    }

    [Fact]
    public void Snapshot_RoundTrip_PreservesValuesHistoryExpiriesAndCounters()
    {
        var options = new KeyValueStoreOptions { HistoryRetentionMs = 1000 };
        var store = new KeyValueStore(options);
        store.Set("a", V("1"), 0, SetCondition.None, null, null, 0);
        store.Set("a", V("2"), 500, SetCondition.None, null, null, 10);
        store.Set("b", V("1"), 0, SetCondition.None, null, null, 10);
        store.Delete("b", 20);

        var restored = new KeyValueStore(options);
        restored.LoadSnapshot(store.ToSnapshot());

        Assert.Equal(Bytes(store), Bytes(restored));
        Assert.Equal(store.CurrentRevision, restored.CurrentRevision);
        Assert.Equal("1", Text(restored.Get("a", 1, 20).Value));
        Assert.Equal(["a"], restored.ListExpiredKeys(510, 10));
        restored.CollectGarbage(1020, 10);
        Assert.Equal(1, restored.Count); // b's tombstone is collected after the restore too
    }

    private static byte[] Bytes(KeyValueStore store) => MessagePackSerializer.Serialize(store.ToSnapshot());

    [Fact]
    public void SplitOff_MovesKeysInHashRange_AndBothChildrenKeepRevisionCounters()
    {
        var store = StoreWith("a", "b", "c", "d");
        store.Set("c", V("c2"), 100, SetCondition.None, null, null, 0);
        ulong Hash(string key) => (ulong)key[0];

        var child = store.SplitOff(Hash, 'c', 'd');

        Assert.Equal(["a", "b"], store.ScanPrefix("", null, 10, 0).Select(item => item.Key));
        Assert.Equal(["c", "d"], child.ScanPrefix("", null, 10, 0).Select(item => item.Key));
        Assert.Equal("c", Text(child.Get("c", 3, 0).Value));
        Assert.Equal(["c"], child.ListExpiredKeys(100, 10));
        Assert.Empty(store.ListExpiredKeys(100, 10));
        Assert.Equal(6, store.Set("e", V("e"), 0, SetCondition.None, null, null, 0).Revision);
        Assert.Equal(6, child.Set("f", V("f"), 0, SetCondition.None, null, null, 0).Revision);
        Assert.Equal(KahunaStatus.NotFound, store.Get("c", 0).Status);
    }
}
