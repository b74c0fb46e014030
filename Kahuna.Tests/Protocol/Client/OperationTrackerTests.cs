using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Protocol.Client;

/// <summary>
/// The client's operation ids and the floor it sends with each write (<c>CompletedBelow</c>): servers forget the
/// answers below the floor, so it must never pass an operation that may still be retried.
/// </summary>
public class OperationTrackerTests
{
    [Fact]
    public void Ids_Increase_AndTheFloorIsTheOldestOperationStillOutstanding()
    {
        var tracker = new OperationTracker(Guid.NewGuid());
        Assert.Equal(1, tracker.CompletedBelow);

        var (first, floor1) = tracker.Begin();
        var (second, floor2) = tracker.Begin();
        var (third, floor3) = tracker.Begin();
        Assert.Equal([1L, 2L, 3L], [first.Sequence, second.Sequence, third.Sequence]);
        Assert.Equal([1L, 1L, 1L], [floor1, floor2, floor3]);
        Assert.Equal(tracker.ClientId, first.ClientId);

        tracker.End(second);
        Assert.Equal(1, tracker.CompletedBelow); // the first may still be retried
        tracker.End(first);
        Assert.Equal(3, tracker.CompletedBelow); // the second ended already: the floor passes it too
        Assert.Equal(3, tracker.Begin().CompletedBelow);
        tracker.End(third);
        Assert.Equal(4, tracker.CompletedBelow); // the fourth, just begun, is outstanding
    }

    [Fact]
    public void EndingTwice_OrAnIdNeverGiven_ChangesNothing()
    {
        var tracker = new OperationTracker(Guid.NewGuid());
        var (first, _) = tracker.Begin();
        var (second, _) = tracker.Begin();
        tracker.End(first);
        tracker.End(first);
        tracker.End(OperationId.Create(tracker.ClientId, 99));
        tracker.End(OperationId.Create(tracker.ClientId, 0));
        Assert.Equal(2, tracker.CompletedBelow);
        tracker.End(second);
        Assert.Equal(3, tracker.CompletedBelow);
        Assert.Equal(3, tracker.Begin().Id.Sequence);
    }

    [Fact]
    public void AnOperationOutstanding_WhileThousandsOfLaterOnesComeAndGo_HoldsTheFloorUntilItEnds()
    {
        var tracker = new OperationTracker(Guid.NewGuid());
        var (stuck, _) = tracker.Begin();
        var (other, _) = tracker.Begin();
        for (int i = 0; i < 10_000; i++)
        {
            var (id, floor) = tracker.Begin();
            Assert.Equal(1, floor);
            tracker.End(id);
        }

        Assert.Equal(1, tracker.CompletedBelow);
        tracker.End(stuck);
        Assert.Equal(2, tracker.CompletedBelow); // the other one still is outstanding
        tracker.End(other);
        Assert.Equal(10_003, tracker.CompletedBelow);
    }

    [Fact]
    public void SeededRandomInterleavings_MatchASortedSetOfTheOutstandingIds()
    {
        for (int seed = 1; seed <= 20; seed++)
        {
            var random = new Random(seed);
            var tracker = new OperationTracker(Guid.NewGuid());
            var model = new SortedSet<long>();
            var open = new List<OperationId>();
            long last = 0;
            for (int step = 0; step < 5_000; step++)
            {
                // Bursts of begins and of ends, so the window both grows past the ring and drains.
                bool begin = open.Count == 0 || random.Next(100) < (step / 500 % 2 == 0 ? 70 : 30);
                if (begin)
                {
                    var (id, floor) = tracker.Begin();
                    Assert.Equal(++last, id.Sequence);
                    model.Add(id.Sequence);
                    Assert.Equal(model.Min, floor);
                    open.Add(id);
                }
                else
                {
                    int at = random.Next(open.Count);
                    tracker.End(open[at]);
                    model.Remove(open[at].Sequence);
                    open.RemoveAt(at);
                }

                Assert.Equal(model.Count > 0 ? model.Min : last + 1, tracker.CompletedBelow);
            }
        }
    }

    [Fact]
    public async Task ConcurrentCallers_LeaveEveryIdUnique_AndTheFloorPastTheLastOnceAllEnded()
    {
        var tracker = new OperationTracker(Guid.NewGuid());
        const int callers = 8, perCaller = 5_000;
        var seen = new long[callers][];
        await Task.WhenAll(Enumerable.Range(0, callers).Select(c => Task.Run(() =>
        {
            seen[c] = new long[perCaller];
            var held = new Queue<OperationId>();
            for (int i = 0; i < perCaller; i++)
            {
                var (id, floor) = tracker.Begin();
                Assert.True(floor <= id.Sequence, $"floor {floor} above the new id {id.Sequence}");
                seen[c][i] = id.Sequence;
                held.Enqueue(id);
                if (held.Count > c % 3 + 1)
                    tracker.End(held.Dequeue());
            }

            while (held.Count > 0)
                tracker.End(held.Dequeue());
        })));

        var all = seen.SelectMany(s => s).ToHashSet();
        Assert.Equal(callers * perCaller, all.Count);
        Assert.Equal(callers * perCaller + 1, tracker.CompletedBelow);
    }
}
