using System.Runtime.ExceptionServices;
using Kahuna.Node.Partitions;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;

namespace Kahuna.Node.Routing;

// Requests about more than one partition: prefix scans, multi-key reads, writes and deletes. Each asks every partition
// concerned for its part (each part routed, retried and timed out like any request) and puts the parts together.
public sealed partial class PartitionRouter
{
    /// <summary>
    /// One page of a prefix scan: every partition that may hold keys with the prefix gives its part, and
    /// <see cref="ScanMerge"/> puts the page together.
    /// </summary>
    private async ValueTask<KahunaResponse> ScanAsync(ScanRequest request, CancellationToken cancellationToken)
    {
        var partitions = ScanPartitions(request.Prefix ?? "");
        var parts = new (PartitionDescriptor, KahunaRequest)[partitions.Count];
        for (var i = 0; i < parts.Length; i++) parts[i] = (partitions[i], request);
        var (answers, failure) = await FanOutAsync<ScanResponse>(parts, cancellationToken);
        return failure ?? ScanMerge.Merge(answers!, request.EffectiveLimit, ProtocolLimits.ScanPageBytes);
    }

    /// <summary>
    /// Several keys: each partition that holds some of them reads its keys in one request, and the answers go back
    /// into the order the keys were asked in.
    /// </summary>
    private async ValueTask<KahunaResponse> GetManyAsync(GetManyRequest request, CancellationToken cancellationToken)
    {
        var keys = request.Keys;
        var groups = GroupByPartition(keys.Length, i => keys[i]);
        var parts = PartsOf(groups, request, positions => request with { Keys = positions.Select(p => keys[p]).ToArray() });
        var (answers, failure) = await FanOutAsync<GetManyResponse>(parts, cancellationToken);
        if (failure is not null) return failure;

        var items = new GetManyItem[keys.Length];
        long bytes = 0;
        for (var g = 0; g < groups.Length; g++)
        {
            var positions = groups[g].Positions;
            var answer = answers![g].Items ?? [];
            if (answer.Length != positions.Count)
                return ErrorResponse.Create(KahunaStatus.InternalError,
                    $"partition {groups[g].Partition.Id} answered {answer.Length} of {positions.Count} keys");
            for (var j = 0; j < answer.Length; j++)
            {
                items[positions[j]] = answer[j];
                bytes += answer[j].Value?.Length ?? 0;
            }
        }
        return bytes > ProtocolLimits.MaxBatchResponseBytes
            ? GetManyTooLarge(bytes)
            : new GetManyResponse { Status = KahunaStatus.Ok, Items = items };
    }

    /// <summary>
    /// Several writes: each partition that holds some of the keys writes its keys as one command (all or none there),
    /// every part under the request's operation id, which each partition de-duplicates on its own; the revisions go
    /// back into the order of the writes. When a part fails, the others may have been written: the client's retry
    /// under the same operation id completes the request without writing anything twice.
    /// </summary>
    private async ValueTask<KahunaResponse> SetManyAsync(SetManyRequest request, CancellationToken cancellationToken)
    {
        var items = request.Items;
        var groups = GroupByPartition(items.Length, i => items[i].Key);
        var parts = PartsOf(groups, request, positions => request with { Items = positions.Select(p => items[p]).ToArray() });
        var (answers, failure) = await FanOutAsync<SetManyResponse>(parts, cancellationToken);
        if (failure is not null) return failure;

        var perPart = new long[]?[groups.Length];
        for (var g = 0; g < groups.Length; g++) perPart[g] = answers![g].Revisions;
        var revisions = new long[items.Length];
        return MergeRevisions(groups, perPart, revisions, "writes")
            ?? new SetManyResponse { Status = KahunaStatus.Ok, Revisions = revisions };
    }

    /// <summary>
    /// Several deletes, the way <see cref="SetManyAsync"/> does several writes: one command per partition (all or none
    /// there), every part under the request's operation id, the tombstones' revisions (0 for a key that was absent)
    /// back in the order of the keys. A failed part may leave others done; the client's retry under the same
    /// operation id gets each partition's first answer again instead of a second delete.
    /// </summary>
    private async ValueTask<KahunaResponse> DeleteManyAsync(DeleteManyRequest request, CancellationToken cancellationToken)
    {
        var keys = request.Keys;
        var groups = GroupByPartition(keys.Length, i => keys[i]);
        var parts = PartsOf(groups, request, positions => request with { Keys = positions.Select(p => keys[p]).ToArray() });
        var (answers, failure) = await FanOutAsync<DeleteManyResponse>(parts, cancellationToken);
        if (failure is not null) return failure;

        var perPart = new long[]?[groups.Length];
        for (var g = 0; g < groups.Length; g++) perPart[g] = answers![g].Revisions;
        var revisions = new long[keys.Length];
        return MergeRevisions(groups, perPart, revisions, "keys")
            ?? new DeleteManyResponse { Status = KahunaStatus.Ok, Revisions = revisions };
    }

    /// <summary>
    /// Puts each part's revisions back at the positions its keys had in the request; an error when a partition
    /// answered a different number of them than it was asked about (<paramref name="what"/> names them in the message).
    /// </summary>
    private static KahunaResponse? MergeRevisions((PartitionDescriptor Partition, List<int> Positions)[] groups, long[]?[] perPart,
        long[] revisions, string what)
    {
        for (var g = 0; g < groups.Length; g++)
        {
            var positions = groups[g].Positions;
            var answer = perPart[g] ?? [];
            if (answer.Length != positions.Count)
                return ErrorResponse.Create(KahunaStatus.InternalError,
                    $"partition {groups[g].Partition.Id} answered {answer.Length} of {positions.Count} {what}");
            for (var j = 0; j < answer.Length; j++) revisions[positions[j]] = answer[j];
        }
        return null;
    }

    /// <summary>The positions of a request's keys, grouped by the partition of each key (in the order first met).</summary>
    private (PartitionDescriptor Partition, List<int> Positions)[] GroupByPartition(int count, Func<int, string> keyAt)
    {
        var byPartition = new Dictionary<int, (PartitionDescriptor Partition, List<int> Positions)>();
        for (var i = 0; i < count; i++)
        {
            var partition = Map.ForKey(keyAt(i));
            if (!byPartition.TryGetValue(partition.Id, out var group))
                byPartition[partition.Id] = group = (partition, []);
            group.Positions.Add(i);
        }
        return byPartition.Values.ToArray();
    }

    /// <summary>One request per group: the request itself when all its keys are in one partition, else its subset for each.</summary>
    private static (PartitionDescriptor, KahunaRequest)[] PartsOf<TRequest>((PartitionDescriptor Partition, List<int> Positions)[] groups,
        TRequest whole, Func<List<int>, TRequest> subset) where TRequest : KahunaRequest
    {
        var parts = new (PartitionDescriptor, KahunaRequest)[groups.Length];
        for (var g = 0; g < groups.Length; g++)
            parts[g] = (groups[g].Partition, groups.Length == 1 ? whole : subset(groups[g].Positions));
        return parts;
    }

    internal static ErrorResponse GetManyTooLarge(long bytes) => ErrorResponse.Create(KahunaStatus.TooLarge,
        $"the values found add up to more than {ProtocolLimits.MaxBatchResponseBytes} bytes ({bytes} so far); ask for fewer keys at a time");

    /// <summary>
    /// Sends every part at once and waits for all of them. Any part that fails makes the whole request fail with that
    /// part's status: an answer with a partition missing would silently leave keys out. A request with several parts
    /// has one attempt out per part, so it counts as that many requests against the node's capacity.
    /// </summary>
    private async ValueTask<(TResponse[]? Answers, KahunaResponse? Failure)> FanOutAsync<TResponse>(
        IReadOnlyList<(PartitionDescriptor Partition, KahunaRequest Request)> parts, CancellationToken cancellationToken)
        where TResponse : KahunaResponse
    {
        var extra = parts.Count - 1;
        if (extra > 0 && Interlocked.Add(ref _inFlight, extra) > _settings.MaxInFlight)
        {
            Interlocked.Add(ref _inFlight, -extra);
            Interlocked.Increment(ref _refused);
            return (null, ErrorResponse.Create(KahunaStatus.Overloaded,
                $"this node has too many requests in flight to ask {parts.Count} partitions now"));
        }
        try
        {
            var pending = new ValueTask<KahunaResponse>[parts.Count];
            for (var i = 0; i < pending.Length; i++)
                pending[i] = RouteAsync(parts[i].Request, parts[i].Partition, cancellationToken);
            var answers = new TResponse[pending.Length];
            KahunaResponse? failure = null;
            ExceptionDispatchInfo? thrown = null;
            for (var i = 0; i < pending.Length; i++)
            {
                // Every part is awaited, even after one threw (cancellation), so none is left running unobserved.
                KahunaResponse answer;
                try
                {
                    answer = await pending[i];
                }
                catch (Exception ex)
                {
                    thrown ??= ExceptionDispatchInfo.Capture(ex);
                    continue;
                }
                if (answer is TResponse { Status: KahunaStatus.Ok } typed) answers[i] = typed;
                else failure ??= answer.Status == KahunaStatus.Ok
                    ? ErrorResponse.Create(KahunaStatus.InternalError, $"partition {parts[i].Partition.Id} answered {answer.GetType().Name}")
                    : answer;
            }
            thrown?.Throw();
            return failure is null ? (answers, null) : (null, failure);
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
        KeyHasher.HasWholeHashTag(prefix) ? [Map.ForKey(prefix)] : Map.Partitions;
}
