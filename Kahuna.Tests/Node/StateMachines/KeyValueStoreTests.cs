using System.Text;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class KeyValueStoreTests
{
    internal static byte[] V(string text) => Encoding.UTF8.GetBytes(text);

    internal static string? Text(byte[]? value) => value is null ? null : Encoding.UTF8.GetString(value);

    private static KeyValueStore NewStore() => new();

    [Fact]
    public void Set_OnNewKey_WritesRevisionOne()
    {
        var store = NewStore();

        var result = store.Set("k", V("a"), 0, SetCondition.None, null, null, 100);

        Assert.Equal((KahunaStatus.Ok, 1L, 0L, 100L), (result.Status, result.Revision, result.ExpiresAtMs, result.ModifiedAtMs));
        Assert.Equal("a", Text(store.Get("k", 100).Value));
    }

    [Fact]
    public void Revisions_ComeFromOnePartitionWideCounter()
    {
        var store = NewStore();

        Assert.Equal(1, store.Set("a", V("1"), 0, SetCondition.None, null, null, 0).Revision);
        Assert.Equal(2, store.Set("b", V("1"), 0, SetCondition.None, null, null, 0).Revision);
        Assert.Equal(3, store.Set("a", V("2"), 0, SetCondition.None, null, null, 0).Revision);
        Assert.Equal(4, store.Delete("b", 0).Revision);
        Assert.Equal(4, store.CurrentRevision);
        Assert.Equal(3, store.Get("a", 0).Revision);
    }

    [Fact]
    public void Set_WithTtl_ExpiresAtNowPlusTtl()
    {
        var store = NewStore();

        var result = store.Set("k", V("a"), 500, SetCondition.None, null, null, 1000);

        Assert.Equal(1500, result.ExpiresAtMs);
        Assert.Equal(KahunaStatus.Ok, store.Get("k", 1499).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 1500).Status);
    }

    [Fact]
    public void Set_WithEmptyValue_IsALiveKey()
    {
        var store = NewStore();
        store.Set("k", [], 0, SetCondition.None, null, null, 0);

        var read = store.Get("k", 0);

        Assert.Equal(KahunaStatus.Ok, read.Status);
        Assert.Empty(read.Value!);
    }

    [Theory]
    [InlineData("", 0, SetCondition.None, null)]
    [InlineData("k", -1, SetCondition.None, null)]
    [InlineData("k", 0, SetCondition.IfExists | SetCondition.IfNotExists, null)]
    [InlineData("k", 0, (SetCondition)4, null)]
    [InlineData("k", 0, SetCondition.None, 0L)]
    [InlineData("k", 0, SetCondition.None, -3L)]
    public void Set_WithInvalidInput_IsRejectedWithoutARevision(string key, long ttlMs, SetCondition conditions, long? compareRevision)
    {
        var store = NewStore();

        var result = store.Set(key, V("a"), ttlMs, conditions, null, compareRevision, 0);

        Assert.Equal(KahunaStatus.InvalidInput, result.Status);
        Assert.Equal(0, store.CurrentRevision);
    }

    [Fact]
    public void Set_WithNullValueOrKey_IsRejected()
    {
        var store = NewStore();

        Assert.Equal(KahunaStatus.InvalidInput, store.Set("k", null!, 0, SetCondition.None, null, null, 0).Status);
        Assert.Equal(KahunaStatus.InvalidInput, store.Set(null!, V("a"), 0, SetCondition.None, null, null, 0).Status);
    }

    [Fact]
    public void SetIfNotExists_OnLiveKey_FailsWithCurrentRevision()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        var result = store.Set("k", V("b"), 0, SetCondition.IfNotExists, null, null, 0);

        Assert.Equal((KahunaStatus.PreconditionFailed, 1L), (result.Status, result.Revision));
        Assert.Equal("a", Text(store.Get("k", 0).Value));
        Assert.Equal(1, store.CurrentRevision);
    }

    [Fact]
    public void SetIfNotExists_OnExpiredKey_Succeeds()
    {
        var store = NewStore();
        store.Set("k", V("a"), 100, SetCondition.None, null, null, 0);

        var result = store.Set("k", V("b"), 0, SetCondition.IfNotExists, null, null, 100);

        Assert.Equal((KahunaStatus.Ok, 2L), (result.Status, result.Revision));
        Assert.Equal("b", Text(store.Get("k", 100).Value));
    }

    [Fact]
    public void SetIfNotExists_OnDeletedKey_Succeeds()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);
        store.Delete("k", 0);

        Assert.Equal(3, store.Set("k", V("b"), 0, SetCondition.IfNotExists, null, null, 0).Revision);
    }

    [Fact]
    public void SetIfExists_OnMissingExpiredOrDeletedKey_Fails()
    {
        var store = NewStore();
        store.Set("expired", V("a"), 100, SetCondition.None, null, null, 0);
        store.Set("deleted", V("a"), 0, SetCondition.None, null, null, 0);
        store.Delete("deleted", 0);

        foreach (var key in new[] { "missing", "expired", "deleted" })
        {
            var result = store.Set(key, V("b"), 0, SetCondition.IfExists, null, null, 100);
            Assert.Equal((KahunaStatus.PreconditionFailed, 0L), (result.Status, result.Revision));
        }

        Assert.Equal(3, store.CurrentRevision);
    }

    [Fact]
    public void SetIfExists_OnLiveKey_Succeeds()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        Assert.Equal(KahunaStatus.Ok, store.Set("k", V("b"), 0, SetCondition.IfExists, null, null, 0).Status);
    }

    [Fact]
    public void CompareValue_Matching_Sets_AndMismatching_Fails()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        var mismatch = store.Set("k", V("c"), 0, SetCondition.None, V("x"), null, 0);
        var match = store.Set("k", V("b"), 0, SetCondition.None, V("a"), null, 0);

        Assert.Equal((KahunaStatus.PreconditionFailed, 1L), (mismatch.Status, mismatch.Revision));
        Assert.Equal((KahunaStatus.Ok, 2L), (match.Status, match.Revision));
        Assert.Equal("b", Text(store.Get("k", 0).Value));
    }

    [Fact]
    public void CompareValue_OnExpiredKeyWithSameValue_Fails()
    {
        var store = NewStore();
        store.Set("k", V("a"), 100, SetCondition.None, null, null, 0);

        Assert.Equal(KahunaStatus.PreconditionFailed, store.Set("k", V("b"), 0, SetCondition.None, V("a"), null, 100).Status);
    }

    [Fact]
    public void CompareRevision_Matching_Sets_AndStale_Fails()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);
        store.Set("k", V("b"), 0, SetCondition.None, null, null, 0);

        var stale = store.Set("k", V("c"), 0, SetCondition.None, null, 1, 0);
        var current = store.Set("k", V("c"), 0, SetCondition.None, null, 2, 0);

        Assert.Equal((KahunaStatus.PreconditionFailed, 2L), (stale.Status, stale.Revision));
        Assert.Equal((KahunaStatus.Ok, 3L), (current.Status, current.Revision));
    }

    [Fact]
    public void CompareRevision_OnDeletedKey_FailsEvenWithTombstoneRevision()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);
        var tombstone = store.Delete("k", 0).Revision;

        Assert.Equal(KahunaStatus.PreconditionFailed, store.Set("k", V("b"), 0, SetCondition.None, null, tombstone, 0).Status);
    }

    [Fact]
    public void CompareValueAndRevision_BothMustHold()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        Assert.Equal(KahunaStatus.PreconditionFailed, store.Set("k", V("b"), 0, SetCondition.IfExists, V("a"), 9, 0).Status);
        Assert.Equal(KahunaStatus.PreconditionFailed, store.Set("k", V("b"), 0, SetCondition.IfExists, V("z"), 1, 0).Status);
        Assert.Equal(KahunaStatus.Ok, store.Set("k", V("b"), 0, SetCondition.IfExists, V("a"), 1, 0).Status);
    }

    [Fact]
    public void Delete_OfLiveKey_WritesTombstoneRevision()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        var deleted = store.Delete("k", 10);

        Assert.Equal((KahunaStatus.Ok, 2L), (deleted.Status, deleted.Revision));
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 10).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Exists("k", 10).Status);
        Assert.Equal(1, store.Count); // the tombstone stays until its window passes
        Assert.Equal(3, store.Set("k", V("b"), 0, SetCondition.None, null, null, 10).Revision);
    }

    [Fact]
    public void CompareAndDelete_DeletesOnlyWhatStillHoldsTheExpectedValueAndRevision()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        var wrongValue = store.Delete("k", V("z"), null, 0);
        var wrongRevision = store.Delete("k", null, 7, 0);
        var bothButOneWrong = store.Delete("k", V("a"), 7, 0);

        Assert.All([wrongValue, wrongRevision, bothButOneWrong], r => Assert.Equal((KahunaStatus.PreconditionFailed, 1L), (r.Status, r.Revision)));
        Assert.Equal(1, store.CurrentRevision); // nothing written
        Assert.Equal(V("a"), store.Get("k", 0).Value);

        Assert.Equal((KahunaStatus.Ok, 2L), (store.Delete("k", V("a"), 1, 0) is var d ? (d.Status, d.Revision) : default));
        Assert.Equal(KahunaStatus.NotFound, store.Delete("k", V("a"), null, 0).Status); // absent: not found, as unconditionally
        Assert.Equal(KahunaStatus.InvalidInput, store.Delete("k", null, 0, 0).Status);
    }

    [Fact]
    public void Delete_OfAbsentKey_IsNotFoundAndChangesNothing()
    {
        var store = NewStore();
        store.Set("expired", V("a"), 100, SetCondition.None, null, null, 0);
        store.Set("deleted", V("a"), 0, SetCondition.None, null, null, 0);
        store.Delete("deleted", 0);

        Assert.Equal(KahunaStatus.NotFound, store.Delete("missing", 100).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Delete("expired", 100).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Delete("deleted", 100).Status);
        Assert.Equal(3, store.CurrentRevision);
    }

    [Fact]
    public void Exists_ReportsRevisionWithoutValue()
    {
        var store = NewStore();
        store.Set("k", V("a"), 0, SetCondition.None, null, null, 0);

        var exists = store.Exists("k", 0);

        Assert.Equal((KahunaStatus.Ok, 1L), (exists.Status, exists.Revision));
        Assert.Null(exists.Value);
        Assert.Equal(KahunaStatus.NotFound, store.Exists("other", 0).Status);
    }

    [Fact]
    public void Extend_SetsExpiryFromNow_WithoutChangingValueOrRevision()
    {
        var store = NewStore();
        store.Set("k", V("a"), 100, SetCondition.None, null, null, 0);

        var extended = store.Extend("k", 1000, 50);

        Assert.Equal((KahunaStatus.Ok, 1L, 1050L), (extended.Status, extended.Revision, extended.ExpiresAtMs));
        Assert.Equal(1, store.CurrentRevision);
        var read = store.Get("k", 1049);
        Assert.Equal(("a", 1L), (Text(read.Value), read.Revision));
        Assert.Equal(KahunaStatus.NotFound, store.Get("k", 1050).Status);
    }

    [Fact]
    public void Extend_WithZero_RemovesTheExpiry()
    {
        var store = NewStore();
        store.Set("k", V("a"), 100, SetCondition.None, null, null, 0);

        Assert.Equal(0, store.Extend("k", 0, 50).ExpiresAtMs);
        Assert.Equal(KahunaStatus.Ok, store.Get("k", long.MaxValue).Status);
        Assert.Empty(store.ListExpiredKeys(long.MaxValue, 10));
    }

    [Fact]
    public void Extend_KeepsCompareByRevisionValid()
    {
        var store = NewStore();
        var written = store.Set("k", V("a"), 100, SetCondition.None, null, null, 0).Revision;
        store.Extend("k", 100, 50);

        Assert.Equal(KahunaStatus.Ok, store.Set("k", V("b"), 0, SetCondition.None, null, written, 60).Status);
    }

    [Fact]
    public void Extend_OfAbsentKey_IsNotFound_AndNegativeTtlIsInvalid()
    {
        var store = NewStore();
        store.Set("expired", V("a"), 100, SetCondition.None, null, null, 0);

        Assert.Equal(KahunaStatus.NotFound, store.Extend("missing", 100, 0).Status);
        Assert.Equal(KahunaStatus.NotFound, store.Extend("expired", 100, 100).Status);
        Assert.Equal(KahunaStatus.InvalidInput, store.Extend("expired", -1, 0).Status);
    }
}
