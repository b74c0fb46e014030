using Kahuna.Tests.Reliability.History;
using Xunit;
using static Kahuna.Tests.Reliability.Checkers.Fixtures.Ops;

namespace Kahuna.Tests.Reliability.Checkers;

public class BankCheckerTests
{
    private static readonly BankCheckOptions Options = new() { InitialTotal = 100, Accounts = ["a", "b", "c"], MinimumReads = 2 };

    private static CheckResult Check(params HistoryOperation[] history) => new BankChecker(Options).Check(history);

    [Fact]
    public void TransfersThatKeepTheTotal_AreValid()
    {
        var result = Check(
            ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)),
            Transfer(1, "a", "b", 10, 1, 2),
            Transfer(2, "b", "c", 5, 1.5, null, Info),
            ReadAll(0, 3, 4, ("a", 40), ("b", 35), ("c", 25)));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result.Counts["info_transfers"]);
    }

    [Fact]
    public void TotalChanged_IsInvalid()
    {
        var result = Check(
            ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)),
            Transfer(1, "a", "b", 10, 1, 2),
            ReadAll(0, 3, 4, ("a", 40), ("b", 30), ("c", 20)));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([2], result.Anomalies.Single(a => a.Kind == AnomalyKind.TotalChanged).Operations);
    }

    [Fact]
    public void NegativeBalance_IsInvalid_UnlessAllowed()
    {
        HistoryOperation[] history =
        [
            ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)),
            Transfer(1, "c", "a", 30, 1, 2),
            ReadAll(0, 3, 4, ("a", 80), ("b", 30), ("c", -10)),
        ];

        Assert.True(Check(history).Has(AnomalyKind.NegativeBalance));
        Assert.Equal(CheckOutcome.Valid, new BankChecker(Options with { AllowNegativeBalances = true }).Check(history).Outcome);
    }

    [Fact]
    public void ReadMissingAnAccount_IsInvalid()
    {
        var result = Check(
            ReadAll(0, 0, 1, ("a", 50), ("b", 50)),
            Transfer(1, "a", "b", 10, 1, 2),
            ReadAll(0, 3, 4, ("a", 40), ("b", 40), ("c", 20)));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Contains("missing [c]", result.Anomalies.Single(a => a.Kind == AnomalyKind.WrongAccounts).Message);
    }

    [Fact]
    public void HugeBalances_DoNotWrapAroundToTheRightTotal()
    {
        var result = Check(
            ReadAll(0, 0, 1, ("a", long.MaxValue), ("b", long.MaxValue), ("c", 102)),
            Transfer(1, "a", "b", 10, 1, 2),
            ReadAll(0, 3, 4, ("a", 50), ("b", 30), ("c", 20)));

        Assert.True(result.Has(AnomalyKind.TotalChanged));
    }

    [Fact]
    public void InfoReads_AreIgnored()
    {
        var infoRead = ReadAll(0, 5, 6, ("a", 1)) with { Status = OperationStatus.Info };

        var result = Check(
            ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)), Transfer(1, "a", "b", 10, 1, 2), infoRead,
            ReadAll(0, 7, 8, ("a", 40), ("b", 40), ("c", 20)));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void TooFewReads_OrNoTransfer_IsUnknown()
    {
        var oneRead = Check(ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)), Transfer(1, "a", "b", 10, 1, 2));
        var noTransfer = Check(ReadAll(0, 0, 1, ("a", 50), ("b", 30), ("c", 20)), ReadAll(0, 2, 3, ("a", 50), ("b", 30), ("c", 20)));

        Assert.Equal(CheckOutcome.Unknown, oneRead.Outcome);
        Assert.Equal(CheckOutcome.Unknown, noTransfer.Outcome);
    }
}
