namespace Kahuna.Protocol;

/// <summary>
/// The one status every Kahuna answer carries. Values are part of the wire format: append only, never renumber.
/// </summary>
public enum KahunaStatus : byte
{
    /// <summary>The operation took effect (or the read found what it looked for).</summary>
    Ok = 0,
    /// <summary>The key, lock or sequence does not exist (or has expired).</summary>
    NotFound = 1,
    /// <summary>The lock is held by another owner.</summary>
    Busy = 2,
    /// <summary>A condition of the request did not hold (if-exists, if-not-exists, compare value or revision).</summary>
    PreconditionFailed = 3,
    /// <summary>The lock is held, but not by the owner named in the request.</summary>
    NotOwner = 4,
    /// <summary>The request is malformed or a field is out of range; the message says which.</summary>
    InvalidInput = 10,
    /// <summary>A key, value, frame or batch exceeds a configured limit.</summary>
    TooLarge = 11,
    /// <summary>The connection did not authenticate, or the credential may not do this.</summary>
    Unauthorized = 12,
    /// <summary>
    /// The server does not know this request type: it speaks an older version of the protocol (during a rolling
    /// upgrade, say). Only that request is refused; the connection stays open. Not retried: ask a newer node.
    /// </summary>
    Unsupported = 13,
    /// <summary>The cluster could not answer in time (no leader, leader change, split); safe to retry.</summary>
    Retry = 20,
    /// <summary>The request's deadline passed before an answer; the outcome of a write is unknown.</summary>
    Timeout = 21,
    /// <summary>The node is shedding load; back off before retrying.</summary>
    Overloaded = 22,
    /// <summary>Internal: the replica asked is not the partition leader (routing handles it; clients should not see it).</summary>
    NotLeader = 23,
    /// <summary>The frame could not be decoded or violates the protocol; the connection is closed after this answer.</summary>
    ProtocolError = 30,
    /// <summary>An unexpected failure on the server; the message has details.</summary>
    InternalError = 31,
    /// <summary>No node could be reached before the deadline (reported by the client library; a server never sends it).</summary>
    Unavailable = 24,

    /// <summary>
    /// A retried write the partition may already have applied, whose answer it no longer remembers (the client
    /// retried after too many of its later writes, or after saying it was done with it): the outcome is unknown.
    /// Not retried by the client library; read the state to find out.
    /// </summary>
    OutcomeUnknown = 25,
}
