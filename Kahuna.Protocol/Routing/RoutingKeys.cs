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
}
