using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Protocol;
using Xunit;
using static Kahuna.Tests.Node.StateMachines.KeyValueStoreTests;

namespace Kahuna.Tests.Node.StateMachines;

public class KeyValueHistoryTests
{
    private const long Window = 1000;

    private static KeyValueStore NewStore(int revisionsPerKey = 4) =>
        new(new KeyValueStoreOptions { RevisionsPerKey = revisionsPerKey, HistoryRetentionMs = Window });

    private static long Put(KeyValueStore store, string key, string value, long nowMs) =>
        store.Set(key, V(value), 0, SetCondition.None, null, null, nowMs).Revision;

    [Fact]
    public void GetAtRevision_ReturnsNewestVersionAtOrBelowIt()
    {
        var store = NewStore();
        Put(store, "k", "a", 0);        // 1
        Put(store, "other", "x", 0);    // 2
        Put(store, "k", "b", 0);        // 3

        Assert.Equal("a", Text(store.Get("k", 1, 0).Value));
        Assert.Equal(("a", 1L), (Text(store.Get("k", 2, 0).Value), store.Get("k", 2, 0).Revision));
        Assert.Equal("b", Text(store.Get("k", 3, 0).Value));
        Assert.Equal("b", Text(store.Get("k", 99, 0).Value));
    }

    [Fact]
    public void GetAtRevision_BeforeKeyExisted_IsNotFoundAndNotCompacted()
    {
        var store = NewStore();
        Put(store, "other", "x", 0);
        Put(store, "k", "a", 0);

        var result = store.Get("k", 1, 0);

        Assert.Equal(KahunaStatus.NotFound, result.Status);
        Assert.False(result.IsCompacted);
    }

    [Fact]
    public void GetAtRevision_OfTombstone_IsNotFound_AndOlderValueStillReadable()
    {
        var store = NewStore();
        Put(store, "k", "a", 0);
        store.Delete("k", 0);
        Put(store, "k", "b", 0);

        Assert.Equal("a", Text(store.Get("k", 1, 0).Value));
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 2, 0).Status);
        Assert.False(store.Get("k", 2, 0).IsCompacted);
        Assert.Equal("b", Text(store.Get("k", 3, 0).Value));
    }

    [Fact]
    public void GetAtRevision_ReturnsVersionAsWritten_WithoutJudgingExpiry()
    {
        var store = NewStore();
        store.Set("k", V("a"), 10, SetCondition.None, null, null, 0);

        var result = store.Get("k", 1, 500);

        Assert.Equal(("a", 10L), (Text(result.Value), result.ExpiresAtMs));
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 500).Status);
    }

    [Fact]
    public void GetAtRevision_WithNonPositiveRevision_IsInvalid()
    {
        Assert.Equal(KahunaStatus.InvalidInput, NewStore().Get("k", 0, 0).Status);
    }

    [Fact]
    public void History_BeyondCountPerKey_IsDroppedAndReadsAsCompacted()
    {
        var store = NewStore(revisionsPerKey: 3);
        for (var value = 1; value <= 5; value++)
        {
            Put(store, "k", value.ToString(), 0); // revisions 1..5
        }

        var dropped = store.Get("k", 2, 0);

        Assert.Equal((KahunaStatus.NotFound, true), (dropped.Status, dropped.IsCompacted));
        Assert.Equal("3", Text(store.Get("k", 3, 0).Value));
        Assert.Equal("5", Text(store.Get("k", 5, 0).Value));
    }

    [Fact]
    public void RevisionsPerKeyOfOne_KeepsNoHistory()
    {
        var store = NewStore(revisionsPerKey: 1);
        Put(store, "k", "a", 0);
        Put(store, "k", "b", 0);

        Assert.True(store.Get("k", 1, 0).IsCompacted);
        Assert.Equal("b", Text(store.Get("k", 2, 0).Value));
    }

    [Fact]
    public void History_OlderThanWindow_IsDroppedByGarbageCollection()
    {
        var store = NewStore();
        Put(store, "k", "a", 0);      // 1, superseded at 100
        Put(store, "k", "b", 100);    // 2, superseded at 600
        Put(store, "k", "c", 600);    // 3

        store.CollectGarbage(1099, 100);
        Assert.Equal("a", Text(store.Get("k", 1, 1099).Value));

        store.CollectGarbage(1100, 100);
        Assert.True(store.Get("k", 1, 1100).IsCompacted);
        Assert.Equal("b", Text(store.Get("k", 2, 1100).Value));

        store.CollectGarbage(1600, 100);
        Assert.True(store.Get("k", 2, 1600).IsCompacted);
        Assert.Equal("c", Text(store.Get("k", 3, 1600).Value));
        Assert.Equal(1, store.Count);
    }

    [Fact]
    public void Tombstone_OlderThanWindow_IsRemovedWhole()
    {
        var store = NewStore();
        Put(store, "k", "a", 0);
        store.Delete("k", 100);

        store.CollectGarbage(1099, 100);
        Assert.Equal(1, store.Count);
        store.CollectGarbage(1100, 100);

        Assert.Equal(0, store.Count);
        Assert.Equal(2, store.CollectedRevision);
    }

    [Fact]
    public void KeyRecreatedAfterTombstoneCollected_HasHigherRevision_AndOldRevisionsReadAsCompacted()
    {
        var store = NewStore();
        Put(store, "k", "a", 0);          // 1
        store.Delete("k", 0);             // 2
        store.CollectGarbage(Window, 10); // whole entry gone
        Put(store, "other", "x", Window); // 3

        var recreated = Put(store, "k", "b", Window);

        Assert.Equal(4, recreated);
        Assert.True(store.Get("k", 1, Window).IsCompacted);
        Assert.True(store.Get("k", 2, Window).IsCompacted);
        var betweenIncarnations = store.Get("k", 3, Window);
        Assert.Equal((KahunaStatus.NotFound, false), (betweenIncarnations.Status, betweenIncarnations.IsCompacted));
        Assert.True(store.Get("never", 1, Window).IsCompacted);
        Assert.False(store.Get("never", 3, Window).IsCompacted);
    }

    [Fact]
    public void CollectGarbage_RespectsItsBudget_AndFinishesLater()
    {
        var store = NewStore();
        for (var index = 0; index < 10; index++)
        {
            Put(store, "k" + index, "a", 0);
            store.Delete("k" + index, 0);
        }

        Assert.Equal(4, store.CollectGarbage(Window, 4));
        Assert.Equal(6, store.Count);
        Assert.Equal(6, store.CollectGarbage(Window, 100));
        Assert.Equal(0, store.Count);
        Assert.Equal(0, store.CollectGarbage(Window, 100));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void CollectGarbage_WithIndexEntriesLeftEarly_VisitsExactlyWhatAnExactIndexWould(int seed)
    {
        // Overwrites push a key's due time later without moving its index entry. A replica restored from a
        // snapshot at any step builds an exact index; collecting on both must visit the same keys and leave the
        // same state, or replicas would drift apart.
        var random = new Random(seed);
        var live = NewStore(revisionsPerKey: 3);
        var keys = Enumerable.Range(0, 12).Select(i => "k" + i).ToArray();
        var now = 0L;
        for (var step = 0; step < 3000; step++)
        {
            now += random.Next(0, 40);
            var key = keys[random.Next(keys.Length)];
            if (random.Next(10) == 0) live.Delete(key, now);
            else Put(live, key, "v" + step, now);

            var exact = new KeyValueStore(new KeyValueStoreOptions { RevisionsPerKey = 3, HistoryRetentionMs = Window });
            exact.LoadSnapshot(live.ToSnapshot());
            var budget = random.Next(1, 4);
            Assert.Equal(exact.CollectGarbage(now, budget), live.CollectGarbage(now, budget));
            Assert.Equal(SnapshotBytes(exact), SnapshotBytes(live));
        }
    }

    private static byte[] SnapshotBytes(KeyValueStore store) => MessagePack.MessagePackSerializer.Serialize(store.ToSnapshot());

    [Fact]
    public void ManyWritesToOneKey_KeepMemoryBounded()
    {
        var store = NewStore(revisionsPerKey: 4);
        for (var index = 0; index < 1000; index++)
        {
            Put(store, "k", index.ToString(), index);
        }

        var snapshot = store.ToSnapshot();

        Assert.Single(snapshot.Entries);
        Assert.Equal(4, snapshot.Entries[0].Versions.Length);
    }
}
