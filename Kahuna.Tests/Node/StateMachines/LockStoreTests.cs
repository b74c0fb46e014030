using System.Text;
using Kahuna.Node.StateMachines.Locks;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class LockStoreTests
{
    private static readonly byte[] Alice = Encoding.ASCII.GetBytes("alice");
    private static readonly byte[] Bob = Encoding.ASCII.GetBytes("bob");

    [Fact]
    public void TryLock_OnFreeResource_GrantsFirstTokenAndExpiry()
    {
        var store = new LockStore();

        var result = store.TryLock("r", Alice, 1000, nowMs: 5000);

        Assert.Equal(KahunaStatus.Ok, result.Status);
        Assert.Equal(1, result.FencingToken);
        Assert.Equal(6000, result.ExpiresAtMs);
        Assert.Equal(Alice, result.Owner);
    }

    [Fact]
    public void TryLock_HeldByOther_IsBusyWithHolderExpiryAndNoToken()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        var result = store.TryLock("r", Bob, 1000, 500);

        Assert.Equal(KahunaStatus.Busy, result.Status);
        Assert.Equal(0, result.FencingToken);
        Assert.Equal(1000, result.ExpiresAtMs);
        Assert.Null(result.Owner);
    }

    [Fact]
    public void TryLock_ReacquiredByOwner_KeepsTokenAndDoesNotExtendLease()
    {
        var store = new LockStore();
        var first = store.TryLock("r", Alice, 1000, 0);

        var again = store.TryLock("r", Alice, 5000, 900);

        Assert.Equal(KahunaStatus.Ok, again.Status);
        Assert.Equal(first.FencingToken, again.FencingToken);
        Assert.Equal(1000, again.ExpiresAtMs);
        Assert.Equal(first.FencingToken, store.LastFencingToken);
    }

    [Fact]
    public void TryLock_AtExactExpiry_TreatsLockAsFree()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.Busy, store.TryLock("r", Bob, 1000, 999).Status);
        var taken = store.TryLock("r", Bob, 1000, 1000);

        Assert.Equal(KahunaStatus.Ok, taken.Status);
        Assert.Equal(2, taken.FencingToken);
        Assert.Equal(Bob, taken.Owner);
    }

    [Fact]
    public void TryLock_ByOwnerAfterExpiry_GrantsNewToken()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        var again = store.TryLock("r", Alice, 1000, 1000);

        Assert.Equal(2, again.FencingToken);
        Assert.Equal(2000, again.ExpiresAtMs);
    }

    [Theory]
    [InlineData("", "alice", 1000)]
    [InlineData(null, "alice", 1000)]
    [InlineData("r", "", 1000)]
    [InlineData("r", null, 1000)]
    [InlineData("r", "alice", 0)]
    [InlineData("r", "alice", -5)]
    public void TryLock_WithInvalidInput_IsRejectedWithoutTakingAToken(string? resource, string? owner, long leaseMs)
    {
        var store = new LockStore();

        var result = store.TryLock(resource!, owner is null ? null! : Encoding.ASCII.GetBytes(owner), leaseMs, 0);

        Assert.Equal(KahunaStatus.InvalidInput, result.Status);
        Assert.Equal(0, store.LastFencingToken);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void TryLock_WithHugeLease_SaturatesExpiry()
    {
        var store = new LockStore();

        var result = store.TryLock("r", Alice, long.MaxValue, 10);

        Assert.Equal(long.MaxValue, result.ExpiresAtMs);
    }

    [Fact]
    public void FencingTokens_StrictlyIncrease_AcrossReleasesAndExpiries()
    {
        var store = new LockStore();
        var tokens = new List<long>
        {
            store.TryLock("r", Alice, 100, 0).FencingToken,
        };
        store.Unlock("r", Alice, 10);
        tokens.Add(store.TryLock("r", Bob, 100, 20).FencingToken);
        tokens.Add(store.TryLock("r", Alice, 100, 120).FencingToken); // Bob's lease expired at 120
        store.ExpireLocks(["r"], 220);
        tokens.Add(store.TryLock("r", Bob, 100, 230).FencingToken);

        Assert.Equal(tokens.OrderBy(token => token).Distinct(), tokens);
    }

    [Fact]
    public void FencingTokens_AreSharedAcrossResources_SoEachResourceStillIncreases()
    {
        var store = new LockStore();

        var a = store.TryLock("a", Alice, 100, 0).FencingToken;
        var b = store.TryLock("b", Alice, 100, 0).FencingToken;
        store.Unlock("a", Alice, 1);
        var a2 = store.TryLock("a", Bob, 100, 2).FencingToken;

        Assert.True(a < b && b < a2);
    }

    [Fact]
    public void InitialFencingToken_SeedsTheCounter()
    {
        var seeded = 7L << 32;
        var store = new LockStore(seeded);

        Assert.Equal(seeded + 1, store.TryLock("r", Alice, 100, 0).FencingToken);
    }

    [Fact]
    public void RaiseFencingFloor_NeverLowersTheCounter()
    {
        var store = new LockStore(100);

        store.RaiseFencingFloor(50);
        Assert.Equal(100, store.LastFencingToken);
        store.RaiseFencingFloor(500);

        Assert.Equal(501, store.TryLock("r", Alice, 100, 0).FencingToken);
    }

    [Fact]
    public void Extend_ByOwner_MovesExpiryToNowPlusLeaseAndKeepsToken()
    {
        var store = new LockStore();
        var granted = store.TryLock("r", Alice, 1000, 0);

        var extended = store.Extend("r", Alice, 300, 900);

        Assert.Equal(KahunaStatus.Ok, extended.Status);
        Assert.Equal(granted.FencingToken, extended.FencingToken);
        Assert.Equal(1200, extended.ExpiresAtMs);
        Assert.Equal(1200, store.GetLock("r", 900).ExpiresAtMs);
    }

    [Fact]
    public void Extend_CanShortenTheLease()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 10_000, 0);

        Assert.Equal(150, store.Extend("r", Alice, 50, 100).ExpiresAtMs);
        Assert.Equal(KahunaStatus.NotFound, store.GetLock("r", 150).Status);
    }

    [Fact]
    public void Extend_ByOtherOwner_IsRejected()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.NotOwner, store.Extend("r", Bob, 1000, 10).Status);
        Assert.Equal(1000, store.GetLock("r", 10).ExpiresAtMs);
    }

    [Fact]
    public void Extend_OfExpiredOrMissingLock_IsNotFound()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.NotFound, store.Extend("r", Alice, 1000, 1000).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Extend("other", Alice, 1000, 0).Status);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void Extend_WithInvalidLease_IsRejected()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.InvalidInput, store.Extend("r", Alice, 0, 10).Status);
    }

    [Fact]
    public void Unlock_ByOwner_ReleasesAndRemovesTheEntry()
    {
        var store = new LockStore();
        var granted = store.TryLock("r", Alice, 1000, 0);

        var released = store.Unlock("r", Alice, 10);

        Assert.Equal(KahunaStatus.Ok, released.Status);
        Assert.Equal(granted.FencingToken, released.FencingToken);
        Assert.Equal(0, store.Count);
        Assert.Equal(KahunaStatus.NotFound, store.GetLock("r", 10).Status);
        Assert.Equal(KahunaStatus.Ok, store.TryLock("r", Bob, 1000, 11).Status);
    }

    [Fact]
    public void Unlock_ByOtherOwner_IsRejected()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.NotOwner, store.Unlock("r", Bob, 10).Status);
        Assert.Equal(Alice, store.GetLock("r", 10).Owner);
    }

    [Fact]
    public void Unlock_OfExpiredLock_IsNotFoundEvenForOwner()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        Assert.Equal(KahunaStatus.NotFound, store.Unlock("r", Alice, 1000).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Unlock("r", Alice, 1001).Status);
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public void GetLock_ReturnsOwnerExpiryAndToken_AndExpiredReadsAsAbsent()
    {
        var store = new LockStore();
        store.TryLock("r", Alice, 1000, 0);

        var live = store.GetLock("r", 999);
        var expired = store.GetLock("r", 1000);

        Assert.Equal((KahunaStatus.Ok, 1L, 1000L), (live.Status, live.FencingToken, live.ExpiresAtMs));
        Assert.Equal(Alice, live.Owner);
        Assert.Equal(KahunaStatus.NotFound, expired.Status);
        Assert.Equal(1, store.Count); // a read never changes state
    }

    [Fact]
    public void ListExpiredLocks_ListsOnlyExpired_EarliestFirst_UpToLimit()
    {
        var store = new LockStore();
        store.TryLock("late", Alice, 300, 0);
        store.TryLock("early", Alice, 100, 0);
        store.TryLock("middle", Alice, 200, 0);
        store.TryLock("live", Alice, 10_000, 0);

        Assert.Equal(["early", "middle", "late"], store.ListExpiredLocks(300, 10));
        Assert.Equal(["early", "middle"], store.ListExpiredLocks(300, 2));
        Assert.Equal(["early"], store.ListExpiredLocks(150, 10));
        Assert.Empty(store.ListExpiredLocks(99, 10));
    }

    [Fact]
    public void ExpireLocks_RemovesOnlyLocksExpiredAtTheCommandTime()
    {
        var store = new LockStore();
        store.TryLock("a", Alice, 100, 0);
        store.TryLock("b", Alice, 200, 0);
        store.Extend("a", Alice, 500, 50); // a now expires at 550: a stale listing must not remove it

        var result = store.ExpireLocks(["a", "b", "missing"], 200);

        Assert.Equal(1, result.Removed);
        Assert.Equal(1, store.Count);
        Assert.Equal(KahunaStatus.Ok, store.GetLock("a", 200).Status);
        Assert.Empty(store.ListExpiredLocks(200, 10));
    }

    [Fact]
    public void Snapshot_RoundTrip_PreservesLocksAndCounter()
    {
        var store = new LockStore();
        store.TryLock("a", Alice, 100, 0);
        store.TryLock("b", Bob, 200, 0);
        store.Unlock("a", Alice, 1);

        var restored = new LockStore();
        restored.LoadSnapshot(store.ToSnapshot());

        Assert.Equal(store.LastFencingToken, restored.LastFencingToken);
        Assert.Equal(Bob, restored.GetLock("b", 10).Owner);
        Assert.Equal(["b"], restored.ListExpiredLocks(200, 10));
        Assert.Equal(3, restored.TryLock("a", Alice, 100, 10).FencingToken);
    }

    [Fact]
    public void SplitOff_MovesMatchingLocks_AndBothChildrenKeepTheCounter()
    {
        var store = new LockStore();
        store.TryLock("low", Alice, 100, 0);
        store.TryLock("high", Bob, 100, 0);

        var child = store.SplitOff(resource => resource == "high" ? 10UL : 1UL, 5, ulong.MaxValue);

        Assert.Equal(KahunaStatus.NotFound, store.GetLock("high", 0).Status);
        Assert.Equal(Bob, child.GetLock("high", 0).Owner);
        Assert.Equal(KahunaStatus.NotFound, child.GetLock("low", 0).Status);
        Assert.Equal(3, store.TryLock("x", Alice, 10, 0).FencingToken);
        Assert.Equal(3, child.TryLock("y", Alice, 10, 0).FencingToken);
        Assert.Equal(["y", "high"], child.ListExpiredLocks(100, 10));
    }
}
