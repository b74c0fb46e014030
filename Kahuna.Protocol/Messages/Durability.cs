namespace Kahuna.Protocol.Messages;

/// <summary>
/// Where a lock or key lives. Zero is deliberately not a member: a request whose durability is missing
/// (and so decodes as 0) is rejected with <see cref="KahunaStatus.InvalidInput"/> instead of silently
/// becoming ephemeral.
/// </summary>
public enum Durability : byte
{
    /// <summary>Replicated through Raft and stored on disk: linearizable and durable.</summary>
    Persistent = 1,
    /// <summary>Held only in the partition leader's memory: fast, lost when the leader changes.</summary>
    Ephemeral = 2,
}

/// <summary>Conditions of a <see cref="SetRequest"/>. Bits not listed here are rejected.</summary>
[Flags]
public enum SetFlags : byte
{
    /// <summary>Write unconditionally (unless a compare value or revision is given).</summary>
    None = 0,
    /// <summary>Write only if the key does not exist (or has expired).</summary>
    IfNotExists = 1,
    /// <summary>Write only if the key exists.</summary>
    IfExists = 2,
}
