using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class SequenceBlockAllocatorTests
{
    /// <summary>Takes values the way a leader would: from the block, reserving through the store when needed.</summary>
    private static (long Start, long Count) Take(SequenceBlockAllocator allocator, SequenceStore store, string name, long count)
    {
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var allocation = allocator.TryTake(name, count, store.GetHighWaterMark(name));
            if (allocation.IsTaken)
            {
                return (allocation.Start, allocation.Count);
            }

            allocator.AddBlock(name, store.ReserveBlock(name, allocation.BlockSizeNeeded));
        }

        throw new InvalidOperationException("no block after reserving");
    }

    [Fact]
    public void EmptyAllocator_AsksForABlock()
    {
        var allocator = new SequenceBlockAllocator(100);

        var allocation = allocator.TryTake("s", 1, 0);

        Assert.False(allocation.IsTaken);
        Assert.Equal(100, allocation.BlockSizeNeeded);
    }

    [Fact]
    public void ValuesComeFromTheBlock_WithoutFurtherReservations()
    {
        var store = new SequenceStore();
        var allocator = new SequenceBlockAllocator(10);

        var values = Enumerable.Range(0, 10).Select(_ => Take(allocator, store, "s", 1).Start).ToList();

        Assert.Equal(Enumerable.Range(1, 10).Select(value => (long)value), values);
        Assert.Equal(10, store.GetHighWaterMark("s"));
        Assert.Equal(0, allocator.Remaining("s"));
    }

    [Fact]
    public void RequestLargerThanWhatIsLeft_JoinsTheNextContiguousBlock()
    {
        var store = new SequenceStore();
        var allocator = new SequenceBlockAllocator(10);
        Take(allocator, store, "s", 8);

        var range = Take(allocator, store, "s", 5);

        Assert.Equal((9L, 5L), range);
        Assert.Equal(10 + 10, store.GetHighWaterMark("s"));
    }

    [Fact]
    public void ReplicatedNextPastTheBlock_MakesTheRestAGap_AndValuesStillIncrease()
    {
        var store = new SequenceStore();
        var allocator = new SequenceBlockAllocator(10);
        var first = Take(allocator, store, "s", 1);
        var idempotent = store.Next("s", 1, "key", 0); // through the log, above the block

        var after = Take(allocator, store, "s", 1);

        Assert.Equal(1, first.Start);
        Assert.Equal(11, idempotent.Start);
        Assert.Equal(12, after.Start);
    }

    [Fact]
    public void NewLeader_StartsAboveEveryBlockTheOldLeaderReserved()
    {
        var store = new SequenceStore();
        var oldLeader = new SequenceBlockAllocator(100);
        var handedOut = new HashSet<long>();
        for (var index = 0; index < 5; index++)
        {
            Assert.True(handedOut.Add(Take(oldLeader, store, "s", 1).Start));
        }

        var newLeader = new SequenceBlockAllocator(100);
        var next = Take(newLeader, store, "s", 1).Start;

        Assert.Equal(101, next);
        Assert.DoesNotContain(next, handedOut);
    }

    [Fact]
    public void ManyTakes_AcrossLeaderChangesAndReplicatedNexts_NeverRepeatAndAlwaysIncrease()
    {
        var random = new Random(7);
        var store = new SequenceStore();
        var allocator = new SequenceBlockAllocator(16);
        var last = 0L;
        for (var step = 0; step < 3000; step++)
        {
            long start, count;
            switch (random.Next(20))
            {
                case 0:
                    allocator = new SequenceBlockAllocator(16); // leader change
                    continue;
                case 1:
                    var next = store.Next("s", random.Next(1, 4), null, step);
                    (start, count) = (next.Start, next.Count);
                    break;
                default:
                    (start, count) = Take(allocator, store, "s", random.Next(1, 40));
                    break;
            }

            Assert.True(start > last, $"step {step}: {start} after {last}");
            last = start + count - 1;
        }
    }

    [Fact]
    public void AddBlock_IgnoresFailedReservations_AndClearForgetsBlocks()
    {
        var allocator = new SequenceBlockAllocator(10);
        allocator.AddBlock("s", new Kahuna.Node.StateMachines.Results.SequenceRangeResult(KahunaStatus.TooLarge, 0, 0));
        Assert.Equal(0, allocator.Remaining("s"));

        allocator.AddBlock("s", new Kahuna.Node.StateMachines.Results.SequenceRangeResult(KahunaStatus.Ok, 1, 10));
        Assert.Equal(10, allocator.Remaining("s"));
        allocator.Clear();

        Assert.Equal(0, allocator.Remaining("s"));
    }
}
