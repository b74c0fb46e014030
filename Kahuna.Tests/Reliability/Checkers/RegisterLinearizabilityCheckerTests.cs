using Kahuna.Tests.Reliability.History;
using Xunit;
using static Kahuna.Tests.Reliability.Checkers.Fixtures.Ops;

namespace Kahuna.Tests.Reliability.Checkers;

public class RegisterLinearizabilityCheckerTests
{
    private static RegisterCheckResult Check(params HistoryOperation[] history) => new RegisterLinearizabilityChecker().Check(history);

    private static RegisterCheckResult CheckNoFloors(params HistoryOperation[] history) =>
        new RegisterLinearizabilityChecker(new RegisterCheckOptions { MinimumOkWrites = 0, MinimumObservedReads = 0 }).Check(history);

    [Fact]
    public void WriteThenRead_IsValid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 1, 2, 3));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void StaleReadAfterCompletedWrite_IsInvalid_NamingTheOverwrite()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 3), Read(1, "k", 1, 4, 5));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        var stale = result.Anomalies.Single(a => a.Kind == AnomalyKind.StaleRead);
        Assert.Equal([2, 0, 1], stale.Operations); // the read, the write it saw, the write that certainly overwrote it
        Assert.Equal([2], result["k"].Failure!.Blocked);
    }

    [Fact]
    public void StaleCas_IsInvalid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 3), Cas(1, "k", 1, 5, 4, 5), Read(1, "k", 5, 6, 7));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.StaleRead));
    }

    [Fact]
    public void ReadOfInitialValueAfterACompletedWrite_IsInvalid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 1, 1.5, 1.8), Read(1, "k", null, 2, 3));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([2, 0], result.Anomalies.Single(a => a.Kind == AnomalyKind.StaleRead).Operations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ConcurrentWrites_EitherOrder_IsValid(long seen)
    {
        var result = Check(Write(0, "k", 1, 0, 5), Write(1, "k", 2, 1, 4), Read(2, "k", seen, 6, 7), Read(2, "k", seen, 8, 9));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void ConcurrentWrites_ThenReadsFlipFlopping_IsInvalid_AndTheSearchExplainsWhy()
    {
        // Once both writes are done the register is fixed: it cannot show 1 and then 2. No single read is stale on its
        // own (each value's write may have been the last), so only the search can refute this.
        var result = Check(Write(0, "k", 1, 0, 5), Write(1, "k", 2, 1, 4), Read(2, "k", 1, 6, 7), Read(2, "k", 2, 8, 9));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.NotLinearizable));
        var failure = result["k"].Failure!;
        Assert.Equal("k", failure.Key);
        Assert.Equal([1, 0, 2], failure.LongestPrefix); // write 2, write 1, read 1
        Assert.Equal("1", failure.StateAfterPrefix);
        Assert.Equal([3], failure.Blocked);
        Assert.Contains("#3 p2 read 2 [8, 9]: impossible on 1", failure.Explanation);
    }

    [Fact]
    public void ReadConcurrentWithWrite_MaySeeOldOrNew()
    {
        var oldValue = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 5), Read(1, "k", 1, 3, 4));
        var newValue = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 5), Read(1, "k", 2, 3, 4));

        Assert.Equal(CheckOutcome.Valid, oldValue.Outcome);
        Assert.Equal(CheckOutcome.Valid, newValue.Outcome);
    }

    [Fact]
    public void TouchingIntervals_CountAsConcurrent()
    {
        // The write completes at the instant the read is invoked: equal timestamps do not order them.
        var result = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 3), Read(1, "k", 1, 3, 4));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void InfoWriteThatLaterAppearsInARead_IsValid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), WriteInfo(1, "k", 2, 2), Read(2, "k", 1, 3, 4), Read(2, "k", 2, 50, 51));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result["k"].InfoOperationsSearched);
    }

    [Fact]
    public void InfoWriteThatNeverAppears_IsValid_AndIsDroppedBeforeSearch()
    {
        var result = Check(Write(0, "k", 1, 0, 1), WriteInfo(1, "k", 2, 2), Read(2, "k", 1, 3, 4), Read(2, "k", 1, 50, 51));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result["k"].InfoOperationsDropped);
    }

    [Fact]
    public void InfoWriteSeenThenUnseen_IsInvalid()
    {
        // If the info write took effect before the first read, it cannot be undone for the second.
        var result = Check(Write(0, "k", 1, 0, 1), WriteInfo(1, "k", 2, 2), Read(2, "k", 2, 3, 4), Read(2, "k", 1, 5, 6));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
    }

    [Fact]
    public void ValueSeenBeforeItsInfoWriteWasInvoked_IsInvalid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Read(2, "k", 2, 2, 3), WriteInfo(1, "k", 2, 4));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.StaleRead));
    }

    [Fact]
    public void ReadOfAValueNobodyWrote_IsInvalid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 7, 2, 3));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.ReadOfUnwrittenValue));
        Assert.Equal([1], result.Anomalies.Single(a => a.Kind == AnomalyKind.ReadOfUnwrittenValue).Operations);
    }

    [Fact]
    public void ReadOfAValueOnlyAFailedWriteWrote_IsInvalid()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Write(1, "k", 2, 2, 3, Fail), Read(1, "k", 2, 4, 5));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
    }

    [Fact]
    public void LostUpdateViaCas_IsInvalid()
    {
        // Both processes saw 0 and both compare-and-sets claim to have won: one of them must have lost.
        var result = Check(
            Write(0, "k", 0, 0, 1),
            Read(1, "k", 0, 2, 3), Read(2, "k", 0, 2, 3),
            Cas(1, "k", 0, 1, 4, 5), Cas(2, "k", 0, 2, 4.5, 6),
            Read(1, "k", 2, 7, 8));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
    }

    [Fact]
    public void CasChain_AndFailedCas_IsValid()
    {
        var result = Check(
            Write(0, "k", 0, 0, 1),
            Cas(1, "k", 0, 1, 2, 3),
            Cas(2, "k", 0, 9, 2.5, 3.5, Fail),
            Cas(1, "k", 1, 2, 4, 5),
            Read(2, "k", 2, 6, 7));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result["k"].FailOperationsDropped);
    }

    [Fact]
    public void InfoCas_MayExplainARead_OnlyIfItsExpectedValueWasThere()
    {
        var took = Check(Write(0, "k", 1, 0, 1), Cas(1, "k", 1, 2, 2, null, Info), Read(2, "k", 2, 5, 6));
        var couldNot = Check(Write(0, "k", 1, 0, 1), Write(0, "k", 3, 1.5, 1.8), Cas(1, "k", 1, 2, 2, null, Info), Read(2, "k", 2, 5, 6));

        Assert.Equal(CheckOutcome.Valid, took.Outcome);
        Assert.Equal(CheckOutcome.Invalid, couldNot.Outcome);
    }

    [Fact]
    public void CasWithNullExpected_MeansSetIfAbsent()
    {
        var valid = Check(Cas(0, "k", null, 1, 0, 1), Read(1, "k", 1, 2, 3));
        var invalid = Check(Write(0, "k", 5, 0, 1), Cas(1, "k", null, 1, 2, 3), Read(1, "k", 1, 4, 5));

        Assert.Equal(CheckOutcome.Valid, valid.Outcome);
        Assert.Equal(CheckOutcome.Invalid, invalid.Outcome);
    }

    [Fact]
    public void AbsentReads_AreChecked_NotWildcards()
    {
        var afterDelete = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 1, 1.2, 1.5), Delete(0, "k", 2, 3), Read(1, "k", null, 4, 5));
        var afterWrite = Check(Write(0, "k", 1, 0, 1), Read(1, "k", null, 2, 3));

        Assert.Equal(CheckOutcome.Valid, afterDelete.Outcome);
        Assert.Equal(CheckOutcome.Invalid, afterWrite.Outcome);
    }

    [Fact]
    public void InfoReads_AreIgnored()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 42, 2, 3, Info), Read(1, "k", 1, 4, 5));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void KeysAreCheckedIndependently()
    {
        var result = Check(Write(0, "a", 1, 0, 1), Read(1, "a", 1, 2, 3), Write(2, "b", 1, 0, 1), Read(3, "b", 1, 2, 3), Read(3, "b", 7, 4, 5));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal(CheckOutcome.Valid, result["a"].Outcome);
        Assert.Equal(CheckOutcome.Invalid, result["b"].Outcome);
    }

    [Fact]
    public void HistoryBeyondTheSearchBudget_IsUnknown_NotValid()
    {
        // 16 overlapping writes, then two reads that disagree: refuting it means trying every subset and order of the
        // writes (2^16 x 16 states), far more than this budget.
        var history = new List<HistoryOperation>();
        for (int p = 0; p < 16; p++) history.Add(Write(p, "k", p, 0, 10));
        history.Add(Read(20, "k", 0, 11, 12));
        history.Add(Read(20, "k", 1, 13, 14));
        var checker = new RegisterLinearizabilityChecker(new RegisterCheckOptions { MaxSearchSteps = 50_000 });

        var result = checker.Check(history);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.False(result.IsValid);
        Assert.True(result.Has(AnomalyKind.SearchBudgetExceeded));
    }

    [Fact]
    public void SmallerVersionOfTheHardHistory_IsRefutedWithinTheDefaultBudget()
    {
        var history = new List<HistoryOperation>();
        for (int p = 0; p < 8; p++) history.Add(Write(p, "k", p, 0, 10));
        history.Add(Read(20, "k", 0, 11, 12));
        history.Add(Read(20, "k", 1, 13, 14));

        Assert.Equal(CheckOutcome.Invalid, new RegisterLinearizabilityChecker().Check(history).Outcome);
    }

    [Fact]
    public void HistoryWithoutObservations_IsUnknown_NotValid()
    {
        var noReads = Check(Write(0, "k", 1, 0, 1), Read(1, "k", 1, 2, 3, Fail));
        var onlyAbsentReads = Check(Read(1, "k", null, 0, 1));

        Assert.Equal(CheckOutcome.Unknown, noReads.Outcome);
        Assert.Equal(CheckOutcome.Unknown, onlyAbsentReads.Outcome);
        Assert.True(onlyAbsentReads.Has(AnomalyKind.Vacuous));
        Assert.Equal(CheckOutcome.Valid, CheckNoFloors(Read(1, "k", null, 0, 1)).Outcome);
    }

    [Fact]
    public void MalformedOperation_IsUnknown()
    {
        var okWithoutComplete = Read(1, "k", 1, 2, 3) with { Complete = null };
        var result = Check(Write(0, "k", 1, 0, 1), okWithoutComplete);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.True(result.Has(AnomalyKind.MalformedHistory));
    }

    [Fact]
    public void OtherWorkloadsOperations_AreIgnored()
    {
        var result = Check(Write(0, "k", 1, 0, 1), Next(3, 5, 0, 1), Read(1, "k", 1, 2, 3));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Single(result.Keys);
    }
}
