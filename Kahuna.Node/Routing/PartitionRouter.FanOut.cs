using Kahuna.Node.Partitions;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;

namespace Kahuna.Node.Routing;

// Prefix scans: the one request that is not about one key, so it goes to every partition that may hold its keys.
public sealed partial class PartitionRouter
{
    /// <summary>
    /// Asks each partition that may hold keys with the prefix for its part of the page (each routed, retried and
    /// timed out like any request), and merges the parts (<see cref="ScanMerge"/>). Any part that fails makes the
    /// whole page fail with that part's status: a page with a partition missing would silently skip keys.
    /// A scan has one attempt out per partition, so it counts as that many requests against the node's capacity.
    /// </summary>
    private async ValueTask<KahunaResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var partitions = ScanPartitions(request.Prefix ?? "");
        var extra = partitions.Count - 1;
        if (extra > 0 && Interlocked.Add(ref _inFlight, extra) > _settings.MaxInFlight)
        {
            Interlocked.Add(ref _inFlight, -extra);
            Interlocked.Increment(ref _refused);
            return ErrorResponse.Create(KahunaStatus.Overloaded,
                $"this node has too many requests in flight to scan {partitions.Count} partitions now");
        }
        try
        {
            var pending = new ValueTask<KahunaResponse>[partitions.Count];
            for (var i = 0; i < pending.Length; i++)
                pending[i] = RouteAsync(request, partitions[i], cancellationToken);
            var parts = new ScanResponse[pending.Length];
            KahunaResponse? failure = null;
            for (var i = 0; i < pending.Length; i++)
            {
                var answer = await pending[i];
                if (answer is ScanResponse { Status: KahunaStatus.Ok } part) parts[i] = part;
                else failure ??= answer.Status == KahunaStatus.Ok
                    ? ErrorResponse.Create(KahunaStatus.InternalError, $"partition {partitions[i].Id} answered a scan with {answer.GetType().Name}")
                    : answer;
            }
            return failure ?? ScanMerge.Merge(parts, request.EffectiveLimit, ProtocolLimits.ScanPageBytes);
        }
        finally
        {
            if (extra > 0) Interlocked.Add(ref _inFlight, -extra);
        }
    }

    /// <summary>
    /// The partitions that may hold keys starting with <paramref name="prefix"/>: one when the prefix contains a whole
    /// non-empty <c>{hash tag}</c> (every such key has that tag, so all hash alike), else all of them.
    /// </summary>
    private IReadOnlyList<PartitionDescriptor> ScanPartitions(string prefix) =>
        HasWholeHashTag(prefix) ? [Map.ForKey(prefix)] : Map.Partitions;

    internal static bool HasWholeHashTag(string prefix)
    {
        var tag = KeyHasher.HashTag(prefix);
        return tag.Length < prefix.Length;
    }
}
