using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;
using Xunit;

namespace Kahuna.Tests.Protocol.Client;

/// <summary>Where a client sends a request about several keys: the leader of its first key's partition.</summary>
public class EntryKeyTests
{
    [Fact]
    public void SingleKeyRequests_GoByTheirRoutingKey() =>
        Assert.Equal("k", RoutingKeys.EntryKey(new GetRequest { Key = "k" }));

    [Fact]
    public void Batches_GoByTheirFirstKey_AndEmptyOnesToAnyNode()
    {
        Assert.Equal("a", RoutingKeys.EntryKey(new GetManyRequest { Keys = ["a", "b"] }));
        Assert.Equal("x", RoutingKeys.EntryKey(new SetManyRequest { Items = [new SetManyItem { Key = "x" }, new SetManyItem { Key = "y" }] }));
        Assert.Null(RoutingKeys.EntryKey(new GetManyRequest { Keys = [] }));
        Assert.Null(RoutingKeys.EntryKey(new SetManyRequest { Items = [] }));
        Assert.Equal("d", RoutingKeys.EntryKey(new DeleteManyRequest { Keys = ["d", "e"] }));
        Assert.Null(RoutingKeys.EntryKey(new DeleteManyRequest { Keys = [] }));
    }

    [Fact]
    public void Scans_GoToOnePartitionOnlyWithAWholeHashTag()
    {
        Assert.Equal("{u1}:", RoutingKeys.EntryKey(new ScanRequest { Prefix = "{u1}:" }));
        Assert.Null(RoutingKeys.EntryKey(new ScanRequest { Prefix = "users/" }));
        Assert.Null(RoutingKeys.EntryKey(new ScanRequest { Prefix = null! }));
    }
}
