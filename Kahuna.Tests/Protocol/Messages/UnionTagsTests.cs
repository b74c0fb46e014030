using System.Reflection;
using Kahuna.Protocol.Messages;
using MessagePack;
using Xunit;

namespace Kahuna.Tests.Protocol.Messages;

/// <summary>
/// Pins the union tags: they are the wire format. Changing this list is a protocol change: append only,
/// never renumber or reuse. The list is checked in here on purpose, apart from the code it checks.
/// </summary>
public class UnionTagsTests
{
    private static readonly (int Tag, string Type)[] PinnedRequestTags =
    [
        (1, "HelloRequest"), (2, "PingRequest"),
        (10, "TryLockRequest"), (11, "ExtendLockRequest"), (12, "UnlockRequest"), (13, "GetLockRequest"),
        (20, "SetRequest"), (21, "GetRequest"), (22, "ExistsRequest"), (23, "DeleteRequest"), (24, "ExtendRequest"),
        (25, "ScanRequest"), (26, "GetManyRequest"), (27, "SetManyRequest"), (28, "DeleteManyRequest"),
        (40, "NextSequenceRequest"),
        (60, "ClusterStatusRequest"),
        (61, "TransferLeaderRequest"),
        (79, "FaultInjectionRequest"),
    ];

    private static readonly (int Tag, string Type)[] PinnedResponseTags =
    [
        (1, "HelloReply"), (2, "PingReply"), (3, "ErrorResponse"),
        (10, "TryLockResponse"), (11, "ExtendLockResponse"), (12, "UnlockResponse"), (13, "GetLockResponse"),
        (20, "SetResponse"), (21, "GetResponse"), (22, "ExistsResponse"), (23, "DeleteResponse"), (24, "ExtendResponse"),
        (25, "ScanResponse"), (26, "GetManyResponse"), (27, "SetManyResponse"), (28, "DeleteManyResponse"),
        (40, "NextSequenceResponse"),
        (60, "ClusterStatusResponse"),
        (61, "TransferLeaderResponse"),
        (79, "FaultInjectionResponse"),
    ];

    private static (int Tag, string Type)[] Declared(Type unionBase) =>
        unionBase.GetCustomAttributes<UnionAttribute>().Select(u => (u.Key, u.SubType.Name)).OrderBy(t => t.Key).ToArray();

    [Fact]
    public void RequestTags_MatchThePinnedList() => Assert.Equal(PinnedRequestTags, Declared(typeof(KahunaRequest)));

    [Fact]
    public void ResponseTags_MatchThePinnedList() => Assert.Equal(PinnedResponseTags, Declared(typeof(KahunaResponse)));

    [Theory]
    [InlineData(typeof(KahunaRequest))]
    [InlineData(typeof(KahunaResponse))]
    public void Tags_AreUniqueAndEachTypeAppearsOnce(Type unionBase)
    {
        var unions = unionBase.GetCustomAttributes<UnionAttribute>().ToArray();
        Assert.Equal(unions.Length, unions.Select(u => u.Key).Distinct().Count());
        Assert.Equal(unions.Length, unions.Select(u => u.SubType).Distinct().Count());
    }

    [Fact]
    public void UnionTagConstants_AreUniqueAndAllUsed()
    {
        var constants = typeof(UnionTags).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral).Select(f => (int)f.GetRawConstantValue()!).ToArray();
        Assert.Equal(constants.Length, constants.Distinct().Count());
        var used = Declared(typeof(KahunaRequest)).Concat(Declared(typeof(KahunaResponse))).Select(t => t.Tag).ToHashSet();
        Assert.All(constants, c => Assert.Contains(c, used));
    }

    [Theory]
    [InlineData(typeof(KahunaRequest))]
    [InlineData(typeof(KahunaResponse))]
    public void EveryConcreteMessageType_IsRegisteredInItsUnion(Type unionBase)
    {
        var registered = unionBase.GetCustomAttributes<UnionAttribute>().Select(u => u.SubType).ToHashSet();
        var concrete = unionBase.Assembly.GetTypes().Where(t => unionBase.IsAssignableFrom(t) && !t.IsAbstract);
        Assert.All(concrete, t => Assert.Contains(t, registered));
    }
}
