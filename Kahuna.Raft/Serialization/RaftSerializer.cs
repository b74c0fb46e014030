using System.Buffers;
using Akka.Actor;
using Akka.Serialization;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Persistence;
using MessagePack;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Raft.Serialization;

/// <summary>
/// Serializes everything the Raft layer sends between nodes or persists, as MessagePack with short, permanent
/// manifests (so persisted data never depends on CLR type names). Bound in reference.conf to <see cref="IRaftSerializable"/>.
/// </summary>
public sealed class RaftSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 7301;

    private const string EnvelopeManifest = "E";
    private const string EnvelopeBatchManifest = "EB";
    private const string ChunkManifest = "C";
    private const string ChunkAckManifest = "CA";
    private const string BootstrappedManifest = "B";
    private const string EntriesAppendedManifest = "A";
    private const string CheckpointManifest = "K";

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        RaftEnvelope => EnvelopeManifest,
        RaftEnvelopeBatch => EnvelopeBatchManifest,
        SnapshotChunk => ChunkManifest,
        SnapshotChunkAck => ChunkAckManifest,
        ReplicaBootstrapped => BootstrappedManifest,
        EntriesAppended => EntriesAppendedManifest,
        ReplicaCheckpoint => CheckpointManifest,
        _ => throw new ArgumentException($"RaftSerializer cannot serialize {o.GetType().Name}"),
    };

    /// <summary>
    /// Scratch space per thread (remoting serializes on several threads at once): a message is written here and
    /// copied out once, instead of growing a fresh buffer per message and then copying that.
    /// </summary>
    [ThreadStatic] private static ArrayBufferWriter<byte>? _scratch;

    /// <summary>Scratch buffers that grew past this (a snapshot chunk, a checkpoint) are not kept.</summary>
    private const int MaxRetainedScratchBytes = 1024 * 1024;

    public override byte[] ToBinary(object obj)
    {
        if (obj is ReplicaCheckpoint checkpoint) return CheckpointToBinary(checkpoint);
        var buffer = _scratch ??= new ArrayBufferWriter<byte>(4096);
        try
        {
            var w = new MessagePackWriter(buffer);
            Write(ref w, obj);
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            if (buffer.Capacity > MaxRetainedScratchBytes) _scratch = null;
            else buffer.ResetWrittenCount();
        }
    }

    /// <summary>
    /// A checkpoint carries the whole state machine (tens of MB for a big partition). Written like any message, the
    /// scratch buffer doubled its way up to that size and was then copied out: about three times the state in
    /// large-object-heap garbage per checkpoint. Here everything but the state goes to the scratch buffer and the
    /// result is assembled once, at its exact size. Same bytes as <see cref="Write"/> produces.
    /// </summary>
    private static byte[] CheckpointToBinary(ReplicaCheckpoint k)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        var w = new MessagePackWriter(buffer);
        WriteCheckpointHead(ref w, k);
        w.WriteBinHeader(k.StateMachine.Length);
        w.Flush();
        var head = buffer.WrittenCount;
        RaftCodec.WriteEntries(ref w, k.Tail);
        w.Flush();
        var written = buffer.WrittenSpan;
        var result = GC.AllocateUninitializedArray<byte>(written.Length + k.StateMachine.Length);
        written[..head].CopyTo(result);
        k.StateMachine.Span.CopyTo(result.AsSpan(head));
        written[head..].CopyTo(result.AsSpan(head + k.StateMachine.Length));
        return result;
    }

    /// <summary>A checkpoint up to its state machine bytes: [hard state, snapshot metadata, state, tail].</summary>
    private static void WriteCheckpointHead(ref MessagePackWriter w, ReplicaCheckpoint k)
    {
        w.WriteArrayHeader(4);
        RaftCodec.WriteHardState(ref w, k.HardState);
        RaftCodec.WriteSnapshotMetadata(ref w, k.Snapshot);
    }

    internal static void Write(ref MessagePackWriter w, object obj)
    {
        switch (obj)
        {
            case RaftEnvelope e:
                w.WriteArrayHeader(2);
                w.Write(e.GroupId);
                RaftCodec.WriteMessage(ref w, e.Message);
                break;
            case RaftEnvelopeBatch b:
                w.WriteArrayHeader(1);
                w.WriteArrayHeader(b.Envelopes.Count);
                foreach (var e in b.Envelopes)
                {
                    w.WriteArrayHeader(2);
                    w.Write(e.GroupId);
                    RaftCodec.WriteMessage(ref w, e.Message);
                }
                break;
            case SnapshotChunk c:
                w.WriteArrayHeader(8);
                w.Write(c.GroupId); w.Write(c.From); w.Write(c.To); w.Write(c.Term);
                RaftCodec.WriteSnapshotMetadata(ref w, c.Metadata);
                w.Write(c.Offset); w.Write(c.TotalLength); w.Write(c.Data.Span);
                break;
            case SnapshotChunkAck a:
                w.WriteArrayHeader(6);
                w.Write(a.GroupId); w.Write(a.From); w.Write(a.To); w.Write(a.Term); w.Write(a.SnapshotIndex); w.Write(a.NextOffset);
                break;
            case ReplicaBootstrapped b:
                w.WriteArrayHeader(1);
                RaftCodec.WriteConfigurationOrNil(ref w, b.Configuration);
                break;
            case EntriesAppended a:
                w.WriteArrayHeader(2);
                if (a.HardState is { } hs) RaftCodec.WriteHardState(ref w, hs); else w.WriteNil();
                RaftCodec.WriteEntries(ref w, a.Entries);
                break;
            case ReplicaCheckpoint k:
                WriteCheckpointHead(ref w, k);
                w.Write(k.StateMachine.Span);
                RaftCodec.WriteEntries(ref w, k.Tail);
                break;
            default:
                throw new ArgumentException($"RaftSerializer cannot serialize {obj.GetType().Name}");
        }
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new MessagePackReader(bytes);
        return Read(ref r, manifest);
    }

    internal static object Read(ref MessagePackReader r, string manifest)
    {
        var n = r.ReadArrayHeader();
        object result;
        int read;
        switch (manifest)
        {
            case EnvelopeManifest:
                result = new RaftEnvelope(r.ReadString() ?? "", RaftCodec.ReadMessage(ref r)); read = 2; break;
            case EnvelopeBatchManifest:
                result = ReadBatch(ref r); read = 1; break;
            case ChunkManifest:
                result = new SnapshotChunk(r.ReadString() ?? "", r.ReadString() ?? "", r.ReadString() ?? "", r.ReadInt64(),
                    RaftCodec.ReadSnapshotMetadata(ref r), r.ReadInt64(), r.ReadInt64(), RaftCodec.ReadBytes(ref r));
                read = 8; break;
            case ChunkAckManifest:
                result = new SnapshotChunkAck(r.ReadString() ?? "", r.ReadString() ?? "", r.ReadString() ?? "", r.ReadInt64(), r.ReadInt64(), r.ReadInt64());
                read = 6; break;
            case BootstrappedManifest:
                result = new ReplicaBootstrapped(RaftCodec.ReadConfigurationOrNil(ref r) ?? Core.RaftConfiguration.Empty); read = 1; break;
            case EntriesAppendedManifest:
                var hs = r.TryReadNil() ? (Core.HardState?)null : RaftCodec.ReadHardState(ref r);
                result = new EntriesAppended(hs, RaftCodec.ReadEntries(ref r)); read = 2; break;
            case CheckpointManifest:
                result = new ReplicaCheckpoint(RaftCodec.ReadHardState(ref r), RaftCodec.ReadSnapshotMetadata(ref r),
                    RaftCodec.ReadBytes(ref r), RaftCodec.ReadEntries(ref r));
                read = 4; break;
            default:
                throw new System.Runtime.Serialization.SerializationException($"RaftSerializer: unknown manifest '{manifest}'");
        }
        for (var i = read; i < n; i++) r.Skip();
        return result;
    }

    private static RaftEnvelopeBatch ReadBatch(ref MessagePackReader r)
    {
        var count = r.ReadArrayHeader();
        var envelopes = new List<RaftEnvelope>(Math.Min(count, 4096));
        for (var i = 0; i < count; i++)
        {
            var fields = r.ReadArrayHeader();
            envelopes.Add(new RaftEnvelope(r.ReadString() ?? "", RaftCodec.ReadMessage(ref r)));
            for (var f = 2; f < fields; f++) r.Skip();
        }
        return new RaftEnvelopeBatch(envelopes);
    }
}
