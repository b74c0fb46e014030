using System.Collections.Immutable;
using Kahuna.Raft.Core;
using MessagePack;

namespace Kahuna.Raft.Serialization;

/// <summary>
/// Hand-written MessagePack encoding of the core's types. The core stays free of serializer attributes, and the
/// persisted format is spelled out here field by field: change it only by appending.
/// </summary>
internal static class RaftCodec
{
    public static void WriteEntry(ref MessagePackWriter w, LogEntry e)
    {
        w.WriteArrayHeader(4);
        w.Write(e.Index);
        w.Write(e.Term);
        w.Write(e.Data.Span);
        WriteConfigurationOrNil(ref w, e.Configuration);
    }

    public static LogEntry ReadEntry(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        if (n < 4) throw new MessagePackSerializationException($"log entry has {n} fields");
        var index = r.ReadInt64();
        var term = r.ReadInt64();
        var data = ReadBytes(ref r);
        var config = ReadConfigurationOrNil(ref r);
        for (var i = 4; i < n; i++) r.Skip();
        return new LogEntry(index, term, data, config);
    }

    public static void WriteEntries(ref MessagePackWriter w, IReadOnlyList<LogEntry> entries)
    {
        w.WriteArrayHeader(entries.Count);
        foreach (var e in entries) WriteEntry(ref w, e);
    }

    public static List<LogEntry> ReadEntries(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        var list = new List<LogEntry>(n);
        for (var i = 0; i < n; i++) list.Add(ReadEntry(ref r));
        return list;
    }

    public static void WriteConfigurationOrNil(ref MessagePackWriter w, RaftConfiguration? c)
    {
        if (c is null) { w.WriteNil(); return; }
        w.WriteArrayHeader(2);
        WriteStrings(ref w, c.Voters);
        WriteStrings(ref w, c.Learners);
    }

    public static RaftConfiguration? ReadConfigurationOrNil(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return null;
        var n = r.ReadArrayHeader();
        var voters = ReadStrings(ref r);
        var learners = ReadStrings(ref r);
        for (var i = 2; i < n; i++) r.Skip();
        return new RaftConfiguration(voters, learners);
    }

    private static void WriteStrings(ref MessagePackWriter w, IReadOnlyCollection<string> values)
    {
        w.WriteArrayHeader(values.Count);
        foreach (var v in values) w.Write(v);
    }

    private static ImmutableSortedSet<string> ReadStrings(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        var b = ImmutableSortedSet.CreateBuilder<string>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++) b.Add(r.ReadString() ?? "");
        return b.ToImmutable();
    }

    public static void WriteHardState(ref MessagePackWriter w, HardState h)
    {
        w.WriteArrayHeader(3);
        w.Write(h.Term);
        w.Write(h.VotedFor);
        w.Write(h.Commit);
    }

    public static HardState ReadHardState(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        var hs = new HardState(r.ReadInt64(), r.ReadString(), r.ReadInt64());
        for (var i = 3; i < n; i++) r.Skip();
        return hs;
    }

    public static void WriteSnapshotMetadata(ref MessagePackWriter w, SnapshotMetadata m)
    {
        w.WriteArrayHeader(3);
        w.Write(m.Index);
        w.Write(m.Term);
        WriteConfigurationOrNil(ref w, m.Configuration);
    }

    public static SnapshotMetadata ReadSnapshotMetadata(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        var meta = new SnapshotMetadata(r.ReadInt64(), r.ReadInt64(), ReadConfigurationOrNil(ref r) ?? RaftConfiguration.Empty);
        for (var i = 3; i < n; i++) r.Skip();
        return meta;
    }

    /// <summary>
    /// Reads a bin field. When the input is one contiguous buffer (always, for a received message) the result is a
    /// slice of it, not a copy: the entries of an append share the message's array.
    /// </summary>
    public static ReadOnlyMemory<byte> ReadBytes(ref MessagePackReader r)
    {
        if (r.TryReadNil()) return ReadOnlyMemory<byte>.Empty;
        var seq = r.ReadBytes();
        if (seq is not { } bytes) return ReadOnlyMemory<byte>.Empty;
        return bytes.IsSingleSegment ? bytes.First : System.Buffers.BuffersExtensions.ToArray(bytes);
    }

    /// <summary>A generous estimate of a message's encoded size, so the encode buffer is allocated once.</summary>
    public static int EstimateSize(RaftMessage m) => m switch
    {
        AppendRequest a => 96 + a.Entries.Sum(e => e.Data.Length + 32 + (e.Configuration is null ? 0 : 16 * e.Configuration.Count)),
        SnapshotRequest s => 128 + s.Data.Length,
        _ => 96,
    };

    // Message type tags inside an envelope: permanent, append only.
    private const byte VoteRequestTag = 1, VoteResponseTag = 2, AppendRequestTag = 3, AppendResponseTag = 4,
        HeartbeatRequestTag = 5, HeartbeatResponseTag = 6, SnapshotRequestTag = 7, TimeoutNowTag = 8;

    public static void WriteMessage(ref MessagePackWriter w, RaftMessage m)
    {
        switch (m)
        {
            case VoteRequest v:
                Header(ref w, VoteRequestTag, m, 4);
                w.Write(v.LastLogIndex); w.Write(v.LastLogTerm); w.Write(v.PreVote); w.Write(v.Transfer);
                break;
            case VoteResponse v:
                Header(ref w, VoteResponseTag, m, 2);
                w.Write(v.Granted); w.Write(v.PreVote);
                break;
            case AppendRequest a:
                Header(ref w, AppendRequestTag, m, 5);
                w.Write(a.PrevLogIndex); w.Write(a.PrevLogTerm); WriteEntries(ref w, a.Entries); w.Write(a.Commit); w.Write(a.ReadContext);
                break;
            case AppendResponse a:
                Header(ref w, AppendResponseTag, m, 5);
                w.Write(a.Success); w.Write(a.Index); w.Write(a.RejectHint); w.Write(a.HintTerm); w.Write(a.ReadContext);
                break;
            case HeartbeatRequest h:
                Header(ref w, HeartbeatRequestTag, m, 3);
                w.Write(h.Commit); w.Write(h.ReadContext); w.Write(h.CommitTerm);
                break;
            case HeartbeatResponse h:
                Header(ref w, HeartbeatResponseTag, m, 2);
                w.Write(h.ReadContext); w.Write(h.Rewind);
                break;
            case SnapshotRequest s:
                Header(ref w, SnapshotRequestTag, m, 2);
                WriteSnapshotMetadata(ref w, s.Metadata); w.Write(s.Data.Span);
                break;
            case TimeoutNowRequest:
                Header(ref w, TimeoutNowTag, m, 0);
                break;
            default:
                throw new ArgumentException($"unknown Raft message {m.GetType().Name}");
        }
    }

    private static void Header(ref MessagePackWriter w, byte tag, RaftMessage m, int fields)
    {
        w.WriteArrayHeader(4 + fields);
        w.Write(tag);
        w.Write(m.From);
        w.Write(m.To);
        w.Write(m.Term);
    }

    public static RaftMessage ReadMessage(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        var tag = r.ReadByte();
        var from = r.ReadString() ?? "";
        var to = r.ReadString() ?? "";
        var term = r.ReadInt64();
        RaftMessage m;
        int read;
        switch (tag)
        {
            case VoteRequestTag:
                m = new VoteRequest(from, to, term, r.ReadInt64(), r.ReadInt64(), r.ReadBoolean(), r.ReadBoolean()); read = 4; break;
            case VoteResponseTag:
                m = new VoteResponse(from, to, term, r.ReadBoolean(), r.ReadBoolean()); read = 2; break;
            case AppendRequestTag:
            {
                long prevIndex = r.ReadInt64(), prevTerm = r.ReadInt64();
                var entries = ReadEntries(ref r);
                var commit = r.ReadInt64();
                read = n > 8 ? 5 : 4;
                m = new AppendRequest(from, to, term, prevIndex, prevTerm, entries, commit, read == 5 ? r.ReadInt64() : 0);
                break;
            }
            case AppendResponseTag:
            {
                var success = r.ReadBoolean();
                long index = r.ReadInt64(), hint = r.ReadInt64(), hintTerm = r.ReadInt64();
                read = n > 8 ? 5 : 4;
                m = new AppendResponse(from, to, term, success, index, hint, hintTerm, read == 5 ? r.ReadInt64() : 0);
                break;
            }
            case HeartbeatRequestTag:
            {
                // Fields added later are optional: a message from an older node simply lacks them.
                long commit = r.ReadInt64(), context = r.ReadInt64();
                read = n > 6 ? 3 : 2;
                m = new HeartbeatRequest(from, to, term, commit, context, read == 3 ? r.ReadInt64() : 0);
                break;
            }
            case HeartbeatResponseTag:
            {
                var context = r.ReadInt64();
                read = n > 5 ? 2 : 1;
                m = new HeartbeatResponse(from, to, term, context, read == 2 ? r.ReadInt64() : -1);
                break;
            }
            case SnapshotRequestTag:
                m = new SnapshotRequest(from, to, term, ReadSnapshotMetadata(ref r), ReadBytes(ref r)); read = 2; break;
            case TimeoutNowTag:
                m = new TimeoutNowRequest(from, to, term); read = 0; break;
            default:
                throw new MessagePackSerializationException($"unknown Raft message tag {tag}");
        }
        for (var i = 4 + read; i < n; i++) r.Skip();
        return m;
    }
}
