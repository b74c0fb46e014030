namespace Kahuna.Raft.Core;

/// <summary>
/// Messages replicas exchange. Every message carries the sender's term; the core's common rules on
/// terms (adopt a higher term, reject a lower one) apply before any type-specific handling.
/// </summary>
public abstract record RaftMessage(string From, string To, long Term);

/// <summary>RequestVote (§5.2), also used for pre-votes (thesis §9.6), where Term is the term the sender would campaign in.</summary>
public sealed record VoteRequest(string From, string To, long Term, long LastLogIndex, long LastLogTerm, bool PreVote, bool Transfer)
    : RaftMessage(From, To, Term);

public sealed record VoteResponse(string From, string To, long Term, bool Granted, bool PreVote)
    : RaftMessage(From, To, Term);

/// <summary>
/// AppendEntries (§5.3): entries following (PrevLogIndex, PrevLogTerm), plus the leader's commit index. A non-zero
/// <see cref="ReadContext"/> makes it a heartbeat of a read round too (the answer echoes it), so a leader that
/// replicates anyway confirms its reads without messages of their own.
/// </summary>
public sealed record AppendRequest(string From, string To, long Term, long PrevLogIndex, long PrevLogTerm,
    IReadOnlyList<LogEntry> Entries, long Commit, long ReadContext = 0) : RaftMessage(From, To, Term);

/// <summary>
/// On success, <see cref="Index"/> is the last index the follower now holds in agreement with the leader.
/// On rejection, <see cref="Index"/> echoes the rejected PrevLogIndex and (<see cref="RejectHint"/>,
/// <see cref="HintTerm"/>) point at where the logs may agree, so the leader can skip a whole term at once.
/// <see cref="ReadContext"/> echoes the request's.
/// </summary>
public sealed record AppendResponse(string From, string To, long Term, bool Success, long Index, long RejectHint, long HintTerm,
    long ReadContext = 0) : RaftMessage(From, To, Term);

/// <summary>
/// Heartbeat: keeps followers from campaigning, carries a safe commit index and the latest read context.
/// <see cref="CommitTerm"/> is the term of the entry at <see cref="Commit"/> (0 when the leader no longer knows it):
/// a follower commits only when its own entry there has that term, so a follower whose disk lost or rolled back
/// entries it had acknowledged never marks a different entry committed.
/// </summary>
public sealed record HeartbeatRequest(string From, string To, long Term, long Commit, long ReadContext, long CommitTerm = 0)
    : RaftMessage(From, To, Term);

/// <summary>
/// <see cref="Rewind"/> is -1 normally. A follower that no longer holds what the leader's commit index says it
/// matched (its journal lost a tail it had acknowledged) sets it to its own commit index, which agrees with every
/// leader; the leader then replicates again from there instead of waiting forever on a log that is not there.
/// </summary>
public sealed record HeartbeatResponse(string From, string To, long Term, long ReadContext, long Rewind = -1)
    : RaftMessage(From, To, Term);

/// <summary>
/// InstallSnapshot (§7). The core emits it with empty <see cref="Data"/>; the host attaches the newest snapshot it
/// holds (at least as new as <see cref="Metadata"/>; its own metadata then replaces the one named here) and may
/// stream it in chunks. It must report the outcome with <see cref="RaftNode.ReportSnapshotStatus"/>.
/// </summary>
public sealed record SnapshotRequest(string From, string To, long Term, SnapshotMetadata Metadata, ReadOnlyMemory<byte> Data)
    : RaftMessage(From, To, Term);

/// <summary>Tells the target of a leadership transfer to campaign now (thesis §3.10).</summary>
public sealed record TimeoutNowRequest(string From, string To, long Term) : RaftMessage(From, To, Term);
