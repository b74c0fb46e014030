using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using WireOperationId = Kahuna.Protocol.Messages.OperationId;
using CommandOperationId = Kahuna.Node.StateMachines.Commands.OperationId;

namespace Kahuna.Node.Partitions;

/// <summary>
/// The only place wire requests become replicated commands and state-machine results become wire responses
/// (Garnet's rule: the engine speaks in statuses, only the edge speaks the protocol). Keeping the two vocabularies
/// apart means changing the protocol never changes the format of data already in a log.
/// </summary>
public static class RequestTranslator
{
    /// <summary>The key a request is routed by (lock resource, key or sequence name); null for requests no partition serves.</summary>
    public static string? RoutingKey(KahunaRequest request) => Kahuna.Protocol.Routing.RoutingKeys.Of(request);

    public static Durability DurabilityOf(KahunaRequest request) => request switch
    {
        TryLockRequest r => r.Durability,
        ExtendLockRequest r => r.Durability,
        UnlockRequest r => r.Durability,
        GetLockRequest r => r.Durability,
        SetRequest r => r.Durability,
        GetRequest r => r.Durability,
        ExistsRequest r => r.Durability,
        DeleteRequest r => r.Durability,
        ExtendRequest r => r.Durability,
        ScanRequest r => r.Durability,
        GetManyRequest r => r.Durability,
        SetManyRequest r => r.Durability,
        DeleteManyRequest r => r.Durability,
        _ => Durability.Persistent, // sequences are always persistent
    };

    /// <summary>The replicated command for a write request, stamped with the leader's time.</summary>
    public static IPartitionCommand? ToCommand(KahunaRequest request, long nowMs) => request switch
    {
        TryLockRequest r => new TryLockCommand(nowMs, Op(r), r.CompletedBelow, r.Resource, r.Owner, r.LeaseMs),
        ExtendLockRequest r => new ExtendLockCommand(nowMs, Op(r), r.CompletedBelow, r.Resource, r.Owner, r.LeaseMs),
        UnlockRequest r => new UnlockCommand(nowMs, Op(r), r.CompletedBelow, r.Resource, r.Owner),
        SetRequest r => new SetKeyValueCommand(nowMs, Op(r), r.CompletedBelow, r.Key, r.Value, r.TtlMs, Conditions(r.Flags), r.CompareValue, r.CompareRevision),
        DeleteRequest r => new DeleteKeyValueCommand(nowMs, Op(r), r.CompletedBelow, r.Key, r.CompareValue, r.CompareRevision),
        ExtendRequest r => new ExtendKeyValueCommand(nowMs, Op(r), r.CompletedBelow, r.Key, r.TtlMs),
        SetManyRequest r => new SetManyKeyValuesCommand(nowMs, Op(r), r.CompletedBelow, Writes(r.Items)),
        DeleteManyRequest r => new DeleteManyKeyValuesCommand(nowMs, Op(r), r.CompletedBelow, r.Keys),
        NextSequenceRequest r => new NextSequenceCommand(nowMs, Op(r), r.CompletedBelow, r.Name, r.Count, r.IdempotencyKey),
        _ => null,
    };

    private static KeyValueWrite[] Writes(SetManyItem[] items)
    {
        var writes = new KeyValueWrite[items.Length];
        for (var i = 0; i < writes.Length; i++) writes[i] = new KeyValueWrite(items[i].Key, items[i].Value, items[i].TtlMs);
        return writes;
    }

    private static CommandOperationId? Op(KahunaWriteRequest r) =>
        r.OperationId.IsEmpty ? null : new CommandOperationId((ulong)r.OperationId.ClientHigh, (ulong)r.OperationId.ClientLow, r.OperationId.Sequence);

    private static SetCondition Conditions(SetFlags flags) =>
        (flags.HasFlag(SetFlags.IfNotExists) ? SetCondition.IfNotExists : SetCondition.None) |
        (flags.HasFlag(SetFlags.IfExists) ? SetCondition.IfExists : SetCondition.None);

    /// <summary>Maps a state-machine result back to the wire response the request expects.</summary>
    public static KahunaResponse ToResponse(KahunaRequest request, IPartitionResult? result)
    {
        switch (result)
        {
            case null:
                return ErrorResponse.Create(KahunaStatus.InternalError, "the state machine returned no result");
            case CommandRejectedResult rejected:
                return ErrorResponse.Create(rejected.Status, rejected.Reason);
        }
        return (request, result) switch
        {
            (TryLockRequest, LockResult l) => new TryLockResponse { Status = l.Status, FencingToken = l.FencingToken, ExpiresAtUnixMs = l.ExpiresAtMs, Message = LockMessage(l) },
            (ExtendLockRequest, LockResult l) => new ExtendLockResponse { Status = l.Status, FencingToken = l.FencingToken, ExpiresAtUnixMs = l.ExpiresAtMs },
            (UnlockRequest, LockResult l) => new UnlockResponse { Status = l.Status },
            (GetLockRequest, LockResult l) => new GetLockResponse { Status = l.Status, Owner = l.Owner, ExpiresAtUnixMs = l.ExpiresAtMs, FencingToken = l.FencingToken },
            (SetRequest, KeyValueResult kv) => new SetResponse { Status = kv.Status, Revision = kv.Revision },
            (GetRequest, KeyValueResult kv) => new GetResponse
            {
                Status = kv.Status, Value = kv.Value, Revision = kv.Revision, ExpiresAtUnixMs = kv.ExpiresAtMs,
                Message = kv.IsCompacted ? "that revision is no longer retained" : null,
            },
            (ExistsRequest, KeyValueResult kv) => new ExistsResponse { Status = kv.Status, Revision = kv.Revision, ExpiresAtUnixMs = kv.ExpiresAtMs },
            (DeleteRequest, KeyValueResult kv) => new DeleteResponse { Status = kv.Status, Revision = kv.Revision },
            (ExtendRequest, KeyValueResult kv) => new ExtendResponse { Status = kv.Status, Revision = kv.Revision, ExpiresAtUnixMs = kv.ExpiresAtMs },
            (SetManyRequest, KeyValueBatchResult b) => new SetManyResponse { Status = b.Status, Revisions = b.Revisions },
            (DeleteManyRequest, KeyValueBatchResult b) => new DeleteManyResponse { Status = b.Status, Revisions = b.Revisions },
            (NextSequenceRequest, SequenceRangeResult s) => new NextSequenceResponse { Status = s.Status, Start = s.Start, Count = (int)s.Count },
            _ => ErrorResponse.Create(KahunaStatus.InternalError, $"unexpected result {result.GetType().Name} for {request.GetType().Name}"),
        };
    }

    /// <summary>One key's answer in a GetMany.</summary>
    public static GetManyItem ToItem(KeyValueResult kv) => kv.Status == KahunaStatus.Ok
        ? new GetManyItem { Status = KahunaStatus.Ok, Value = kv.Value, Revision = kv.Revision, ExpiresAtUnixMs = kv.ExpiresAtMs }
        : new GetManyItem { Status = kv.Status };

    /// <summary>
    /// One partition's part of a scan page. <see cref="ScanResponse.NextStartAfter"/> says here where this partition
    /// stopped when a bound cut its part (null: it has no more such keys); the router merges the parts.
    /// </summary>
    public static ScanResponse ToResponse(ScanPage page)
    {
        var items = new ScanItem[page.Items.Count];
        for (var i = 0; i < items.Length; i++)
        {
            var item = page.Items[i];
            items[i] = new ScanItem { Key = item.Key, Value = item.Value, Revision = item.Revision, ExpiresAtUnixMs = item.ExpiresAtMs };
        }
        return new ScanResponse { Status = KahunaStatus.Ok, Items = items, NextStartAfter = page.ResumeAfter };
    }

    private static string? LockMessage(LockResult l) => l.Status == KahunaStatus.Busy ? "the lock is held by another owner" : null;

    public static NextSequenceResponse SequenceRange(long start, long count) =>
        new() { Status = KahunaStatus.Ok, Start = start, Count = (int)count };
}
