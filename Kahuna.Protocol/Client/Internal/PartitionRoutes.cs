using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// The client's picture of where each partition's leader serves, learned from a node's cluster status. Routing by
/// it saves the hop through a node that would only forward the request; a stale picture costs nothing but that hop,
/// because every node still accepts every request.
/// </summary>
internal sealed class PartitionRoutes
{
    private sealed record Route(ulong Start, ulong End, EndpointAddress? Leader);

    private volatile Route[] _routes = [];

    public bool IsEmpty => _routes.Length == 0;

    /// <summary>The leader's client endpoint for a key, or null when unknown.</summary>
    public EndpointAddress? EndpointFor(string key)
    {
        var routes = _routes;
        if (routes.Length == 0) return null;
        var hash = KeyHasher.Hash(key);
        int lo = 0, hi = routes.Length - 1;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (routes[mid].Start <= hash) lo = mid; else hi = mid - 1;
        }
        var route = routes[lo];
        return hash >= route.Start && hash <= route.End ? route.Leader : null;
    }

    public void Update(ClusterStatusResponse status)
    {
        var endpoints = new Dictionary<string, EndpointAddress>(StringComparer.Ordinal);
        foreach (var member in status.Members)
        {
            if (member.ClientEndpoint is null) continue;
            try { endpoints[member.NodeId] = EndpointAddress.Parse(member.ClientEndpoint); }
            catch (FormatException) { /* a node announcing nonsense is simply not routed to */ }
        }
        var routes = new List<Route>(status.Partitions.Length);
        foreach (var p in status.Partitions)
        {
            if (!ulong.TryParse(p.RangeStart, System.Globalization.NumberStyles.HexNumber, null, out var start) ||
                !ulong.TryParse(p.RangeEnd, System.Globalization.NumberStyles.HexNumber, null, out var end)) continue;
            var leader = p.Leader is not null && endpoints.TryGetValue(p.Leader, out var e) ? e : null;
            routes.Add(new Route(start, end, leader));
        }
        _routes = routes.OrderBy(r => r.Start).ToArray();
    }

    /// <summary>Forgets a leader that could not be reached (until the next refresh).</summary>
    public void Forget(EndpointAddress endpoint) =>
        _routes = _routes.Select(r => r.Leader == endpoint ? r with { Leader = null } : r).ToArray();
}
