using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Base of every request a client sends. On the wire a request is a MessagePack union
/// <c>[tag, [fields…]]</c>; the tags live in <see cref="UnionTags"/>.
/// </summary>
[Union(UnionTags.Hello, typeof(HelloRequest))]
[Union(UnionTags.Ping, typeof(PingRequest))]
[Union(UnionTags.TryLock, typeof(TryLockRequest))]
[Union(UnionTags.ExtendLock, typeof(ExtendLockRequest))]
[Union(UnionTags.Unlock, typeof(UnlockRequest))]
[Union(UnionTags.GetLock, typeof(GetLockRequest))]
[Union(UnionTags.Set, typeof(SetRequest))]
[Union(UnionTags.Get, typeof(GetRequest))]
[Union(UnionTags.Exists, typeof(ExistsRequest))]
[Union(UnionTags.Delete, typeof(DeleteRequest))]
[Union(UnionTags.Extend, typeof(ExtendRequest))]
[Union(UnionTags.Scan, typeof(ScanRequest))]
[Union(UnionTags.GetMany, typeof(GetManyRequest))]
[Union(UnionTags.SetMany, typeof(SetManyRequest))]
[Union(UnionTags.DeleteMany, typeof(DeleteManyRequest))]
[Union(UnionTags.NextSequence, typeof(NextSequenceRequest))]
[Union(UnionTags.ClusterStatus, typeof(ClusterStatusRequest))]
[Union(UnionTags.TransferLeader, typeof(TransferLeaderRequest))]
[Union(UnionTags.FaultInjection, typeof(FaultInjectionRequest))]
public abstract record KahunaRequest;

/// <summary>
/// A request that changes state. It carries the fields the server needs to apply it at most once:
/// the client keeps the same <see cref="OperationId"/> on every retry of one logical operation.
/// Keys 0 and 1 are taken here; derived requests number their own fields from 2.
/// </summary>
public abstract record KahunaWriteRequest : KahunaRequest
{
    /// <summary>Identifies this logical operation; identical on every retry of it.</summary>
    [Key(0)]
    public OperationId OperationId { get; init; }

    /// <summary>
    /// Every operation of this client with a sequence below this value has been answered (or given up),
    /// so the server may forget its de-duplication records for them.
    /// </summary>
    [Key(1)]
    public long CompletedBelow { get; init; }
}
