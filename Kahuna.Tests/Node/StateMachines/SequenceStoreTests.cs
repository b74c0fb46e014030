using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class SequenceStoreTests
{
    [Fact]
    public void Next_StartsAtOne_AndRangesAreContiguousAndIncreasing()
    {
        var store = new SequenceStore();

        var first = store.Next("s", 1, null, 0);
        var second = store.Next("s", 5, null, 0);
        var third = store.Next("s", 1, null, 0);

        Assert.Equal((KahunaStatus.Ok, 1L, 1L), (first.Status, first.Start, first.Count));
        Assert.Equal((2L, 7L), (second.Start, second.EndExclusive));
        Assert.Equal(7, third.Start);
        Assert.Equal(7, store.GetHighWaterMark("s"));
    }

    [Fact]
    public void Names_AreIndependent()
    {
        var store = new SequenceStore();
        store.Next("a", 10, null, 0);

        Assert.Equal(1, store.Next("b", 1, null, 0).Start);
        Assert.Equal(0, store.GetHighWaterMark("unknown"));
    }

    [Theory]
    [InlineData("", 1, null)]
    [InlineData(null, 1, null)]
    [InlineData("s", 0, null)]
    [InlineData("s", -1, null)]
    [InlineData("s", 1, "")]
    public void Next_WithInvalidInput_IsRejected(string? name, long count, string? idempotencyKey)
    {
        var store = new SequenceStore();

        Assert.Equal(KahunaStatus.InvalidInput, store.Next(name!, count, idempotencyKey, 0).Status);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Next_BeyondMaxCountOrOverflow_IsTooLarge()
    {
        var store = new SequenceStore(new SequenceStoreOptions { MaxCount = long.MaxValue });
        store.Next("s", long.MaxValue - 10, null, 0);

        Assert.Equal(KahunaStatus.TooLarge, store.Next("s", 11, null, 0).Status);
        Assert.Equal(long.MaxValue - 9, store.Next("s", 10, null, 0).Start);
        Assert.Equal(KahunaStatus.TooLarge, new SequenceStore(new SequenceStoreOptions { MaxCount = 5 }).Next("s", 6, null, 0).Status);
    }

    [Fact]
    public void Next_WithSameIdempotencyKey_ReturnsSameRange()
    {
        var store = new SequenceStore();
        var first = store.Next("s", 3, "req-1", 0);
        store.Next("s", 1, null, 0);

        var retry = store.Next("s", 3, "req-1", 10);

        Assert.Equal((first.Start, first.Count), (retry.Start, retry.Count));
        Assert.Equal(4, store.GetHighWaterMark("s"));
    }

    [Fact]
    public void IdempotencyKey_IsScopedPerName_AndDifferentCountIsInvalid()
    {
        var store = new SequenceStore();
        store.Next("a", 3, "k", 0);

        Assert.Equal(1, store.Next("b", 3, "k", 0).Start);
        Assert.Equal(KahunaStatus.InvalidInput, store.Next("a", 4, "k", 0).Status);
    }

    [Fact]
    public void IdempotencyRecords_ExpireAfterRetention_ThenARetryTakesANewRange()
    {
        var store = new SequenceStore(new SequenceStoreOptions { IdempotencyRetentionMs = 1000 });
        store.Next("s", 1, "k", 0);

        store.CollectGarbage(999, 10);
        Assert.Equal(1, store.Next("s", 1, "k", 999).Start);
        store.CollectGarbage(1000, 10);

        Assert.Equal(0, store.IdempotencyRecordCount);
        Assert.Equal(2, store.Next("s", 1, "k", 1000).Start);
    }

    [Fact]
    public void IdempotencyRecords_AreCapped_OldestForgottenFirst()
    {
        var store = new SequenceStore(new SequenceStoreOptions { MaxIdempotencyRecords = 3 });
        for (var index = 0; index < 5; index++)
        {
            store.Next("s", 1, "k" + index, index);
        }

        Assert.Equal(3, store.IdempotencyRecordCount);
        Assert.Equal(5, store.Next("s", 1, "k4", 10).Start);
        Assert.Equal(6, store.Next("s", 1, "k0", 10).Start); // forgotten: a new range
    }

    [Fact]
    public void ReserveBlock_AdvancesTheHighWaterMark_SharedWithNext()
    {
        var store = new SequenceStore();

        var block = store.ReserveBlock("s", 100);
        var next = store.Next("s", 1, null, 0);

        Assert.Equal((1L, 100L), (block.Start, block.Count));
        Assert.Equal(101, next.Start);
        Assert.Equal(KahunaStatus.InvalidInput, store.ReserveBlock("s", 0).Status);
    }

    [Fact]
    public void Snapshot_RoundTrip_PreservesMarksAndIdempotencyOrder()
    {
        var options = new SequenceStoreOptions { MaxIdempotencyRecords = 2 };
        var store = new SequenceStore(options);
        store.Next("s", 1, "a", 0);
        store.Next("s", 1, "b", 1);

        var restored = new SequenceStore(options);
        restored.LoadSnapshot(store.ToSnapshot());
        restored.Next("s", 1, "c", 2); // evicts the oldest record, "a"

        Assert.Equal(2, restored.Next("s", 1, "b", 3).Start);
        Assert.Equal(4, restored.Next("s", 1, "a", 3).Start);
    }
}
