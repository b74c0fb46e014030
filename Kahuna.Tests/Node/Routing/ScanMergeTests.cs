using Kahuna.Node.Routing;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;
using Xunit;

namespace Kahuna.Tests.Node.Routing;

/// <summary>How the router puts the partitions' parts of a scan page together.</summary>
public class ScanMergeTests
{
    private static ScanResponse Part(string? stoppedAfter, params string[] keys) => new()
    {
        Status = KahunaStatus.Ok,
        Items = keys.Select(k => new ScanItem { Key = k, Value = [1], Revision = 1 }).ToArray(),
        NextStartAfter = stoppedAfter,
    };

    private static string[] Keys(ScanResponse page) => page.Items.Select(i => i.Key).ToArray();

    [Fact]
    public void CompleteParts_MergeInOrder_AndTheScanEnds()
    {
        var page = ScanMerge.Merge([Part(null, "b", "d"), Part(null, "a", "c"), Part(null)], limit: 10, maxBytes: 1 << 20);

        Assert.Equal(["a", "b", "c", "d"], Keys(page));
        Assert.Null(page.NextStartAfter);
    }

    [Fact]
    public void APageFullAtTheLimit_ResumesAfterItsLastKey()
    {
        var page = ScanMerge.Merge([Part(null, "b", "d"), Part(null, "a", "c")], limit: 3, maxBytes: 1 << 20);

        Assert.Equal(["a", "b", "c"], Keys(page));
        Assert.Equal("c", page.NextStartAfter);
    }

    [Fact]
    public void KeysPastTheEarliestStop_WaitForTheNextPage()
    {
        // The first partition stopped after "c": it may hold "d" or "e", so "f" from the other cannot come yet.
        var page = ScanMerge.Merge([Part("c", "a", "c"), Part(null, "b", "f")], limit: 10, maxBytes: 1 << 20);

        Assert.Equal(["a", "b", "c"], Keys(page));
        Assert.Equal("c", page.NextStartAfter);
    }

    [Fact]
    public void AStopOnAKeyThatIsNotReturned_StillMovesTheScanOn()
    {
        // A partition that looked only at expired keys stops after one of them and returns nothing.
        var page = ScanMerge.Merge([Part("k", []), Part(null, "m")], limit: 10, maxBytes: 1 << 20);

        Assert.Empty(page.Items);
        Assert.Equal("k", page.NextStartAfter);
    }

    [Fact]
    public void APageIsCutBySize_AfterTheItemThatReachesTheBudget()
    {
        var big = new ScanResponse
        {
            Status = KahunaStatus.Ok,
            Items = new[] { "a", "b", "c" }.Select(k => new ScanItem { Key = k, Value = new byte[600], Revision = 1 }).ToArray(),
        };

        var page = ScanMerge.Merge([big], limit: 10, maxBytes: 1000);

        Assert.Equal(["a", "b"], Keys(page));
        Assert.Equal("b", page.NextStartAfter);
    }

    [Fact]
    public void OneItemLargerThanTheBudget_StillMakesAPage()
    {
        var page = ScanMerge.Merge([new ScanResponse
        {
            Status = KahunaStatus.Ok,
            Items = [new ScanItem { Key = "a", Value = new byte[5000] }, new ScanItem { Key = "b", Value = [] }],
        }], limit: 10, maxBytes: 1000);

        Assert.Equal(["a"], Keys(page));
        Assert.Equal("a", page.NextStartAfter);
    }

    [Theory]
    [InlineData("{user7}:", true)]
    [InlineData("x{user7}", true)]
    [InlineData("{user7", false)]
    [InlineData("{}:", false)]
    [InlineData("user/", false)]
    [InlineData("", false)]
    public void OnlyAPrefixWithAWholeHashTag_GoesToOnePartition(string prefix, bool single) =>
        Assert.Equal(single, KeyHasher.HasWholeHashTag(prefix));
}
