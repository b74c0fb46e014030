using Kahuna.Tests.Reliability.History;
using Xunit;
using static Kahuna.Tests.Reliability.Checkers.Fixtures.Ops;

namespace Kahuna.Tests.Reliability.Checkers;

public class LockCheckerTests
{
    private static CheckResult Check(params HistoryOperation[] history) => new LockChecker().Check(history);

    [Fact]
    public void HandOffAfterRelease_IsValid()
    {
        var result = Check(
            Acquire(0, "a", 1, 0, 0.1), Release(0, "a", 1, 1.1),
            Acquire(1, "b", 2, 1.2, 1.3), Release(1, "b", 2, 2.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(2, result.Counts["certain_holds"]);
    }

    [Fact]
    public void OverlapWithinLeases_IsInvalid()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1), Acquire(1, "b", 2, 1, 1.1));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([0, 1], result.Anomalies.Single(a => a.Kind == AnomalyKind.MutualExclusion).Operations);
    }

    [Fact]
    public void OverlapOnlyAfterTheLeaseExpired_IsValid()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1, leaseMs: 1000), Acquire(1, "b", 2, 2, 2.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Theory]
    [InlineData(0.95, CheckOutcome.Valid)]   // after invoke + lease x 0.99 - 50 ms = 0.94
    [InlineData(0.93, CheckOutcome.Invalid)] // before it
    public void LeaseIsCountedFromInvoke_LessTheMargin(double otherAcquiredAt, CheckOutcome expected)
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1, leaseMs: 1000), Acquire(1, "b", 2, 0.5, otherAcquiredAt));

        Assert.Equal(expected, result.Outcome);
    }

    [Fact]
    public void TokenGoingBackwards_IsInvalid()
    {
        var result = Check(Acquire(0, "a", 5, 0, 0.1), Release(0, "a", 1, 1.1), Acquire(1, "b", 3, 2, 2.1));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.Equal([0, 2], result.Anomalies.Single(a => a.Kind == AnomalyKind.FencingTokenOrder).Operations);
    }

    [Fact]
    public void SameTokenForTwoOwners_IsInvalid()
    {
        var result = Check(Acquire(0, "a", 5, 0, 0.1), Release(0, "a", 1, 1.1), Acquire(1, "b", 5, 2, 2.1));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.FencingTokenReused));
        Assert.False(result.Has(AnomalyKind.MutualExclusion));
    }

    [Fact]
    public void ConcurrentAcquires_MayShowTheirTokensInEitherOrder()
    {
        // b was granted token 1 first, its short lease ran out, then a got token 2; b's answer was slow to arrive.
        var result = Check(
            Acquire(1, "b", 1, 1, 3, leaseMs: 200),
            Acquire(0, "a", 2, 0, 2),
            Release(0, "a", 4, 4.1),
            Acquire(2, "c", 3, 5, 5.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void ReacquireBySameOwner_WithTheSameToken_IsValid()
    {
        var result = Check(
            Acquire(0, "a", 1, 0, 0.1), Acquire(0, "a", 1, 1, 1.1), Release(0, "a", 2, 2.1),
            Acquire(1, "b", 2, 3, 3.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void Reacquire_DoesNotCountAsExtendingTheLease()
    {
        // The server keeps the first lease on a re-acquire, so b may take over at 1.2 even though a re-acquired at 0.5.
        var result = Check(
            Acquire(0, "a", 1, 0, 0.1, leaseMs: 1000), Acquire(0, "a", 1, 0.5, 0.6, leaseMs: 1000),
            Acquire(1, "b", 2, 1.2, 1.3));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void RetriedRelease_EndsTheHoldAtTheFirstAttempt_NotTheRetry()
    {
        // The original checker overwrote a release's start with its retry's and reported this as a violation: the
        // first attempt (timed out at 5) may well have released the lock before b got it at 6.
        var retried = Check(
            Acquire(0, "a", 1, 0, 0.1),
            Release(0, "a", 5, 5.5, Info), Release(0, "a", 8, 8.1),
            Acquire(1, "b", 2, 6, 6.1));
        var notRetried = Check(Acquire(0, "a", 1, 0, 0.1), Release(0, "a", 8, 8.1), Acquire(1, "b", 2, 6, 6.1));

        Assert.Equal(CheckOutcome.Valid, retried.Outcome);
        Assert.Equal(CheckOutcome.Invalid, notRetried.Outcome);
    }

    [Fact]
    public void UnansweredRelease_EndsTheCertainHoldAtItsInvoke()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1), Release(0, "a", 1, null, Info), Acquire(1, "b", 2, 2, 2.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void FailedRelease_DoesNotEndTheHold()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1), Release(0, "a", 1, 1.1, Fail), Acquire(1, "b", 2, 2, 2.1));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
    }

    [Fact]
    public void ReleaseThatMayPrecedeTheGrant_LeavesNoCertainHold()
    {
        // a's release was in flight while its acquire was: it may have landed after the grant.
        var result = Check(
            Acquire(0, "a", 1, 0, 1), Release(2, "a", 0.5, 1.5),
            Acquire(1, "b", 2, 1.2, 1.3), Release(1, "b", 2, 2.1),
            Acquire(3, "c", 3, 3, 3.1), Release(3, "c", 4, 4.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(2, result.Counts["certain_holds"]);
    }

    [Fact]
    public void InfoAcquire_CannotCreateAViolationByItself()
    {
        var result = Check(
            Acquire(0, "a", 1, 0, 0.1), AcquireInfo(1, "b", 1), Release(0, "a", 2, 2.1),
            Acquire(2, "c", 3, 3, 3.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void InfoAcquire_DoesNotHideAViolation()
    {
        // b's timed-out attempt changes nothing about a's hold; b's later success overlaps it.
        var result = Check(Acquire(0, "a", 1, 0, 0.1), AcquireInfo(1, "b", 0.5), Acquire(1, "b", 2, 1, 1.1));

        Assert.Equal(CheckOutcome.Invalid, result.Outcome);
        Assert.True(result.Has(AnomalyKind.MutualExclusion));
    }

    [Fact]
    public void InfoAcquireOfTheSameOwner_MayHaveStartedTheLeaseEarlier()
    {
        // a's first attempt timed out but may have been granted at 0; the retry at 0.5 then only re-acquired that grant,
        // whose lease ends by 0.94, so b at 1.2 is legal.
        var result = Check(
            AcquireInfo(0, "a", 0, leaseMs: 1000), Acquire(0, "a", 1, 0.5, 0.6, leaseMs: 1000),
            Acquire(1, "b", 2, 1.2, 1.3));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
        Assert.Equal(1, result.Counts["holds_shortened_by_info"]);
    }

    [Fact]
    public void FailedAcquires_GiveNoHold()
    {
        var result = Check(
            Acquire(0, "a", 1, 0, 0.1), AcquireFailed(1, "b", 1, 1.1), Release(0, "a", 2, 2.1),
            Acquire(1, "b", 2, 3, 3.1));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void ResourcesAreIndependent()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1, resource: "r1"), Acquire(1, "b", 1, 1, 1.1, resource: "r2"));

        Assert.Equal(CheckOutcome.Valid, result.Outcome);
    }

    [Fact]
    public void TooFewCertainHolds_IsUnknown()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1), AcquireFailed(1, "b", 1, 1.1));

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.True(result.Has(AnomalyKind.Vacuous));
    }

    [Fact]
    public void OkAcquireWithoutToken_IsUnknown()
    {
        var result = Check(Acquire(0, "a", 1, 0, 0.1) with { Token = null }, Acquire(1, "b", 2, 1, 1.1));

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.True(result.Has(AnomalyKind.MalformedHistory));
    }
}
