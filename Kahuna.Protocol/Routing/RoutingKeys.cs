using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Routing;

/// <summary>Which key decides the partition of a request: one definition for the client and the nodes.</summary>
public static class RoutingKeys
{
    /// <summary>The lock resource, key or sequence name a request is routed by; null for requests no partition serves.</summary>
    public static string? Of(KahunaRequest request) => request switch
    {
        TryLockRequest r => r.Resource,
        ExtendLockRequest r => r.Resource,
        UnlockRequest r => r.Resource,
        GetLockRequest r => r.Resource,
        SetRequest r => r.Key,
        GetRequest r => r.Key,
        ExistsRequest r => r.Key,
        DeleteRequest r => r.Key,
        ExtendRequest r => r.Key,
        NextSequenceRequest r => r.Name,
        _ => null,
    };

    /// <summary>
    /// The key whose partition leader a client sends a request to: the routing key of a single-key request; for a
    /// request about several keys the first of them (the node that gets it asks the other partitions itself, so a batch
    /// whose keys share a partition, as keys with one <c>{hash tag}</c> do, goes straight to that partition's leader);
    /// for a prefix scan the prefix when it holds a whole hash tag (then one partition answers). Null: any node.
    /// </summary>
    public static string? EntryKey(KahunaRequest request) => request switch
    {
        GetManyRequest { Keys: [var first, ..] } => first,
        SetManyRequest { Items: [{ } first, ..] } => first.Key,
        DeleteManyRequest { Keys: [var first, ..] } => first,
        ScanRequest { Prefix: { } prefix } when KeyHasher.HasWholeHashTag(prefix) => prefix,
        _ => Of(request),
    };
}
