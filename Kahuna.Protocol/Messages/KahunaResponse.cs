using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// Base of every answer the server sends. Every answer carries a <see cref="KahunaStatus"/> and, for
/// errors, a human-readable <see cref="Message"/>. Keys 0 and 1 are taken here; derived responses
/// number their own fields from 2.
/// </summary>
[Union(UnionTags.Hello, typeof(HelloReply))]
[Union(UnionTags.Ping, typeof(PingReply))]
[Union(UnionTags.Error, typeof(ErrorResponse))]
[Union(UnionTags.TryLock, typeof(TryLockResponse))]
[Union(UnionTags.ExtendLock, typeof(ExtendLockResponse))]
[Union(UnionTags.Unlock, typeof(UnlockResponse))]
[Union(UnionTags.GetLock, typeof(GetLockResponse))]
[Union(UnionTags.Set, typeof(SetResponse))]
[Union(UnionTags.Get, typeof(GetResponse))]
[Union(UnionTags.Exists, typeof(ExistsResponse))]
[Union(UnionTags.Delete, typeof(DeleteResponse))]
[Union(UnionTags.Extend, typeof(ExtendResponse))]
[Union(UnionTags.Scan, typeof(ScanResponse))]
[Union(UnionTags.GetMany, typeof(GetManyResponse))]
[Union(UnionTags.SetMany, typeof(SetManyResponse))]
[Union(UnionTags.DeleteMany, typeof(DeleteManyResponse))]
[Union(UnionTags.NextSequence, typeof(NextSequenceResponse))]
[Union(UnionTags.ClusterStatus, typeof(ClusterStatusResponse))]
[Union(UnionTags.TransferLeader, typeof(TransferLeaderResponse))]
[Union(UnionTags.FaultInjection, typeof(FaultInjectionResponse))]
public abstract record KahunaResponse
{
    /// <summary>The outcome of the request.</summary>
    [Key(0)]
    public KahunaStatus Status { get; init; }

    /// <summary>Why the request failed, for people (null when it succeeded).</summary>
    [Key(1)]
    public string? Message { get; init; }
}

/// <summary>
/// An answer that carries only a status: used when the server cannot or need not build the typed reply
/// (an undecodable frame, a rejected request, a handler failure, an overloaded server).
/// </summary>
[MessagePackObject]
public sealed record ErrorResponse : KahunaResponse
{
    /// <summary>Creates an error answer with the given status and reason.</summary>
    public static ErrorResponse Create(KahunaStatus status, string? message) => new() { Status = status, Message = message };
}
