using Kahuna.Tests.Reliability.History;
using Xunit;
using static Kahuna.Tests.Reliability.Checkers.Fixtures.Ops;

namespace Kahuna.Tests.Reliability.Checkers;

public class SequenceCheckerTests
{
    private static readonly SequenceChecker NoFloor = new(new SequenceCheckOptions { MinimumAllocations = 0 });

    [Fact]
    public void IncreasingValuesAndRanges_WithGaps_AreValid()
    {
        var result = NoFloor.Check([Next(0, 1, 0, 1), Range(1, 2, 10, 2, 3), Next(0, 50, 4, 5), Range(1, 51, 3, 6, 7)]);

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(15, result.Counts["values"]);
    }

    [Fact]
    public void DuplicateValue_IsInvalid()
    {
        var result = NoFloor.Check([Next(0, 1, 0, 1), Next(1, 2, 0, 1), Next(2, 2, 0.5, 1.5)]);

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([1, 2], result.Anomalies.Single(a => a.Kind == AnomalyKind.DuplicateValue).Operations);
    }

    [Fact]
    public void OverlappingRanges_AreDuplicates()
    {
        // 10..19 and 15..16 share values; concurrency does not excuse handing a value out twice.
        var result = NoFloor.Check([Range(0, 10, 10, 0, 1), Range(1, 15, 2, 0.5, 1.5), Next(2, 25, 2, 3)]);

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Contains("15..16", result.Anomalies.Single(a => a.Kind == AnomalyKind.DuplicateValue).Message);
    }

    [Fact]
    public void ValueInsideAnEarlierRange_IsADuplicate()
    {
        var result = NoFloor.Check([Range(0, 1, 100, 0, 1), Next(1, 2, 5, 6), Next(2, 101, 7, 8)]);

        Assert.True(result.Has(AnomalyKind.DuplicateValue));
    }

    [Fact]
    public void RealTimeInversion_IsInvalid()
    {
        var result = NoFloor.Check([Next(0, 5, 0, 1), Next(1, 3, 2, 3)]);

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([0, 1], result.Anomalies.Single(a => a.Kind == AnomalyKind.RealTimeOrder).Operations);
    }

    [Fact]
    public void ConcurrentAllocations_MayCompleteInAnyOrder()
    {
        var result = NoFloor.Check([Next(0, 5, 0, 3), Next(1, 3, 1, 2), Range(2, 6, 4, 2.5, 4), Next(3, 10, 4.5, 5)]);

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void RealTimeOrder_CanBeSwitchedOff()
    {
        var result = new SequenceChecker(new SequenceCheckOptions { MinimumAllocations = 0, RequireRealTimeOrder = false })
            .Check([Next(0, 5, 0, 1), Next(1, 3, 2, 3)]);

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void SequencesAreIndependent()
    {
        var result = NoFloor.Check([Next(0, 1, 0, 1, sequence: "a"), Next(1, 1, 2, 3, sequence: "b")]);

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void InfoAndFailAllocations_AreIgnored()
    {
        var info = HistoryOperation.Next(2, "seq").At(0, null, OperationStatus.Info);
        var fail = HistoryOperation.Next(3, "seq").At(0, 0.5, OperationStatus.Fail) with { Value = 1 };

        var result = NoFloor.Check([Next(0, 1, 0, 1), info, fail, Next(1, 9, 2, 3)]);

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result.Counts["info"]);
        Assert.Equal(1, result.Counts["fail"]);
    }

    [Fact]
    public void FewerAllocationsThanTheFloor_IsUnknown()
    {
        var history = Enumerable.Range(0, 24).Select(i => Next(0, i + 1, i, i + 0.5)).ToArray();

        Assert.Equal(CheckOutcome.Unknown, new SequenceChecker().Check(history).Outcome);
        Assert.Equal(CheckOutcome.Valid, new SequenceChecker().Check([.. history, Next(0, 100, 30, 31)]).Outcome);
    }

    [Fact]
    public void MalformedRange_IsUnknown()
    {
        var result = NoFloor.Check([Range(0, 1, 0, 0, 1), Next(1, 2, 2, 3)]);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.True(result.Has(AnomalyKind.MalformedHistory));
    }

    [Fact]
    public void ManyAllocations_CheckQuickly_AndOneDuplicateIsFound()
    {
        var random = new Random(3);
        var history = new List<HistoryOperation>();
        long next = 1;
        double time = 0;
        for (int i = 0; i < 20_000; i++)
        {
            long count = random.Next(1, 4);
            history.Add(count == 1 ? Next(i % 8, next, time, time + 0.01) : Range(i % 8, next, count, time, time + 0.01));
            next += count + random.Next(0, 2);
            time += 0.005; // overlapping neighbours: each allocation is concurrent with the next one
        }

        Assert.Equal(CheckOutcome.Valid, new SequenceChecker().Check(history).Outcome);
        var old = history[4_000];
        history[15_000] = Next(0, old.Value ?? old.Start!.Value, history[15_000].Invoke, history[15_000].Complete!.Value);
        var result = new SequenceChecker().Check(history);
        Assert.Equal([4_000, 15_000], result.Anomalies.Single(a => a.Kind == AnomalyKind.DuplicateValue).Operations);
    }
}
