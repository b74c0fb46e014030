using Kahuna.Node.StateMachines.KeyValues;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

/// <summary>The three bounds of one partition's scan page, and where each says the next page starts.</summary>
public class KeyValueScanPageTests
{
    private static KeyValueStore StoreWith(int valueBytes, params string[] keys)
    {
        var store = new KeyValueStore();
        foreach (var key in keys)
            store.Set(key, new byte[valueBytes], 0, SetCondition.None, null, null, 0);
        return store;
    }

    private static string[] Keys(ScanPage page) => page.Items.Select(i => i.Key).ToArray();

    [Fact]
    public void APageThatReachesTheEndOfThePrefix_SaysNothingIsLeft()
    {
        var store = StoreWith(1, "p/1", "p/2", "q/1");

        var page = store.ScanPrefix("p/", null, 2, int.MaxValue, int.MaxValue, 0);

        Assert.Equal(["p/1", "p/2"], Keys(page));
        Assert.Null(page.ResumeAfter); // the next key, q/1, is past the prefix
    }

    [Fact]
    public void APageCutAtTheLimit_ResumesAfterItsLastKey()
    {
        var store = StoreWith(1, "p/1", "p/2", "p/3");

        var page = store.ScanPrefix("p/", null, 2, int.MaxValue, int.MaxValue, 0);

        Assert.Equal(["p/1", "p/2"], Keys(page));
        Assert.Equal("p/2", page.ResumeAfter);
    }

    [Fact]
    public void APageIsCutBySize_AfterTheKeyThatReachesTheBudget_ButAlwaysHoldsOne()
    {
        var store = StoreWith(600, "a", "b", "c");

        var page = store.ScanPrefix("", null, 10, 1000, int.MaxValue, 0);
        var tiny = store.ScanPrefix("", null, 10, 1, int.MaxValue, 0);

        Assert.Equal(["a", "b"], Keys(page));
        Assert.Equal("b", page.ResumeAfter);
        Assert.Equal(["a"], Keys(tiny));
        Assert.Equal("a", tiny.ResumeAfter);
    }

    [Fact]
    public void AKeysOnlyPage_LeavesTheValuesOut_AndIsCutByTheKeysAlone()
    {
        var store = StoreWith(600, "a", "b", "c");

        var page = store.ScanPrefix("", null, 10, 1000, int.MaxValue, keysOnly: true, 0);

        Assert.Equal(["a", "b", "c"], Keys(page)); // with values the same budget held two (above)
        Assert.Null(page.ResumeAfter);
        Assert.All(page.Items, item => Assert.Empty(item.Value));
        Assert.All(page.Items, item => Assert.True(item.Revision > 0));
    }

    [Fact]
    public void DeletedKeysCountAsLookedAt_SoAPageOfTombstonesEndsAndResumesPastThem()
    {
        var keys = Enumerable.Range(0, 10).Select(i => $"k/{i}").ToArray();
        var store = StoreWith(1, keys);
        foreach (var key in keys.Take(8))
            store.Delete(key, 0);

        var first = store.ScanPrefix("k/", null, 100, int.MaxValue, 5, 0);
        var second = store.ScanPrefix("k/", first.ResumeAfter, 100, int.MaxValue, 5, 0);

        Assert.Empty(first.Items);
        Assert.Equal("k/4", first.ResumeAfter);
        Assert.Equal(["k/8", "k/9"], Keys(second));
        Assert.Null(second.ResumeAfter);
    }

    [Fact]
    public void StartAfterAKeyThatDoesNotExist_StartsAtTheNextOne()
    {
        var store = StoreWith(1, "p/1", "p/3");

        var page = store.ScanPrefix("p/", "p/2", 10, int.MaxValue, int.MaxValue, 0);

        Assert.Equal(["p/3"], Keys(page));
    }
}
