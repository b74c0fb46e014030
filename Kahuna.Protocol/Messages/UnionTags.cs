namespace Kahuna.Protocol.Messages;

/// <summary>
/// Every MessagePack union tag of the wire protocol, in one place. Tags are part of the wire format:
/// append only, never renumber, never reuse a retired tag (retire it with a comment instead).
/// Request and response tags are separate unions; a reply uses the same number as its request where
/// one exists so a hex dump reads easily. A test pins this list against a checked-in copy.
/// </summary>
/// <remarks>
/// Reserved ranges (tag space only, no types yet):
/// 29 key/value range reads (GetByRange);
/// 30–39 more key/value operations;
/// 41–49 sequence ranges and sequence administration;
/// 50–59 transactions (Begin, Get, Set, Delete, Commit, Rollback);
/// 62–78 cluster administration (join, leave, partitions); 79 test-only fault injection;
/// 80–99 authentication and session management.
/// </remarks>
public static class UnionTags
{
    // ---- connection (1–9) ----
    /// <summary><see cref="HelloRequest"/> / <see cref="HelloReply"/>.</summary>
    public const int Hello = 1;
    /// <summary><see cref="PingRequest"/> / <see cref="PingReply"/>.</summary>
    public const int Ping = 2;
    /// <summary><see cref="ErrorResponse"/> (response union only): an answer that carries only a status.</summary>
    public const int Error = 3;

    // ---- locks (10–19) ----
    /// <summary><see cref="TryLockRequest"/> / <see cref="TryLockResponse"/>.</summary>
    public const int TryLock = 10;
    /// <summary><see cref="ExtendLockRequest"/> / <see cref="ExtendLockResponse"/>.</summary>
    public const int ExtendLock = 11;
    /// <summary><see cref="UnlockRequest"/> / <see cref="UnlockResponse"/>.</summary>
    public const int Unlock = 12;
    /// <summary><see cref="GetLockRequest"/> / <see cref="GetLockResponse"/>.</summary>
    public const int GetLock = 13;

    // ---- key/value (20–39; 29–39 reserved) ----
    /// <summary><see cref="SetRequest"/> / <see cref="SetResponse"/>.</summary>
    public const int Set = 20;
    /// <summary><see cref="GetRequest"/> / <see cref="GetResponse"/>.</summary>
    public const int Get = 21;
    /// <summary><see cref="ExistsRequest"/> / <see cref="ExistsResponse"/>.</summary>
    public const int Exists = 22;
    /// <summary><see cref="DeleteRequest"/> / <see cref="DeleteResponse"/>.</summary>
    public const int Delete = 23;
    /// <summary><see cref="ExtendRequest"/> / <see cref="ExtendResponse"/>.</summary>
    public const int Extend = 24;
    /// <summary><see cref="ScanRequest"/> / <see cref="ScanResponse"/>: one page of the keys under a prefix.</summary>
    public const int Scan = 25;
    /// <summary><see cref="GetManyRequest"/> / <see cref="GetManyResponse"/>: several keys in one request.</summary>
    public const int GetMany = 26;
    /// <summary><see cref="SetManyRequest"/> / <see cref="SetManyResponse"/>: several writes in one request.</summary>
    public const int SetMany = 27;
    /// <summary><see cref="DeleteManyRequest"/> / <see cref="DeleteManyResponse"/>: several deletes in one request.</summary>
    public const int DeleteMany = 28;

    // ---- sequences (40–49; 41–49 reserved) ----
    /// <summary><see cref="NextSequenceRequest"/> / <see cref="NextSequenceResponse"/>.</summary>
    public const int NextSequence = 40;

    // ---- cluster administration (60–79; 62–78 reserved) ----
    /// <summary><see cref="ClusterStatusRequest"/> / <see cref="ClusterStatusResponse"/>.</summary>
    public const int ClusterStatus = 60;
    /// <summary><see cref="TransferLeaderRequest"/> / <see cref="TransferLeaderResponse"/>: needs an admin credential.</summary>
    public const int TransferLeader = 61;

    /// <summary><see cref="FaultInjectionRequest"/> / <see cref="FaultInjectionResponse"/>: test-only, refused unless
    /// <c>kahuna.testing.fault-injection = on</c>. The last tag of the admin range, so real admin commands keep 61 onwards.</summary>
    public const int FaultInjection = 79;
}
