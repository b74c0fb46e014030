using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.Serialization;
using Akka.Actor;
using Akka.Serialization;
using Kahuna.Protocol.Framing;
using MessagePack;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Serialization;

/// <summary>
/// Serializes the messages nodes exchange about client requests. The request and response inside are the wire
/// protocol's own MessagePack encoding (one contract for clients, nodes and Akka applications); the correlation id
/// travels as the envelope's request id. A batch is an array of the same items. Bound in kahuna.conf to
/// IKahunaNodeSerializable.
/// </summary>
public sealed class NodeSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 7302;
    private const string RequestManifest = "PQ";
    private const string ReplyManifest = "PR";
    private const string RequestBatchManifest = "PQB";
    private const string ReplyBatchManifest = "PRB";

    /// <summary>More items than a sender ever puts in one batch (see CoalescingOutbox): anything above is refused.</summary>
    private const int MaxBatchItems = 4096;

    // Reply targets are a handful of well-known router actors: resolve each path once.
    private readonly ConcurrentDictionary<string, IActorRef> _refs = new(StringComparer.Ordinal);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        PartitionRequest => RequestManifest,
        PartitionReply => ReplyManifest,
        PartitionRequestBatch => RequestBatchManifest,
        PartitionReplyBatch => ReplyBatchManifest,
        _ => throw new ArgumentException($"NodeSerializer cannot serialize {o.GetType().Name}"),
    };

    public override byte[] ToBinary(object obj)
    {
        var output = new ArrayBufferWriter<byte>(256);
        var envelope = new ArrayBufferWriter<byte>(128);
        var w = new MessagePackWriter(output);
        switch (obj)
        {
            case PartitionRequest r:
                WriteRequest(ref w, envelope, r);
                break;
            case PartitionReply r:
                WriteReply(ref w, envelope, r);
                break;
            case PartitionRequestBatch b:
                w.WriteArrayHeader(b.Requests.Count);
                foreach (var f in b.Requests)
                {
                    w.WriteArrayHeader(2);
                    w.Write(f.GroupId);
                    WriteRequest(ref w, envelope, f.Request);
                }
                break;
            case PartitionReplyBatch b:
                w.WriteArrayHeader(b.Replies.Count);
                foreach (var r in b.Replies) WriteReply(ref w, envelope, r);
                break;
            default:
                throw new ArgumentException($"NodeSerializer cannot serialize {obj.GetType().Name}");
        }
        w.Flush();
        return output.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new MessagePackReader(bytes);
        switch (manifest)
        {
            case RequestManifest:
                return ReadRequest(ref r);
            case ReplyManifest:
                return ReadReply(ref r);
            case RequestBatchManifest:
            {
                var requests = new ForwardedRequest[ReadBatchCount(ref r)];
                for (var i = 0; i < requests.Length; i++)
                {
                    var n = r.ReadArrayHeader();
                    if (n < 2) throw new SerializationException("a forwarded request needs a group and a request");
                    var group = r.ReadString() ?? throw new SerializationException("missing group");
                    requests[i] = new ForwardedRequest(group, ReadRequest(ref r));
                    for (var k = 2; k < n; k++) r.Skip();
                }
                return new PartitionRequestBatch(requests);
            }
            case ReplyBatchManifest:
            {
                var replies = new PartitionReply[ReadBatchCount(ref r)];
                for (var i = 0; i < replies.Length; i++) replies[i] = ReadReply(ref r);
                return new PartitionReplyBatch(replies);
            }
            default:
                throw new SerializationException($"NodeSerializer: unknown manifest '{manifest}'");
        }
    }

    private static void WriteRequest(ref MessagePackWriter w, ArrayBufferWriter<byte> envelope, PartitionRequest r)
    {
        envelope.ResetWrittenCount();
        MessageCodec.EncodeRequest(envelope, (ulong)r.CorrelationId, r.Request);
        WriteItem(ref w, Akka.Serialization.Serialization.SerializedActorPath(r.ReplyTo), envelope);
    }

    private static void WriteReply(ref MessagePackWriter w, ArrayBufferWriter<byte> envelope, PartitionReply r)
    {
        envelope.ResetWrittenCount();
        MessageCodec.EncodeResponse(envelope, (ulong)r.CorrelationId, r.Response);
        WriteItem(ref w, r.LeaderHint, envelope);
    }

    private static void WriteItem(ref MessagePackWriter w, string? text, ArrayBufferWriter<byte> envelope)
    {
        w.WriteArrayHeader(2);
        w.Write(text);
        w.Write(envelope.WrittenSpan);
    }

    private PartitionRequest ReadRequest(ref MessagePackReader r)
    {
        var (text, envelope) = ReadItem(ref r);
        var decoded = MessageCodec.DecodeRequest(envelope);
        // A newer node's request type is answered Unsupported by the replica; failing the whole batch would drop its
        // other requests until their routers time out.
        var request = decoded.IsUnknownType ? new UnsupportedRequest(decoded.Error!) : decoded.Message;
        if (request is null) throw new SerializationException(decoded.Error ?? "bad request");
        var replyTo = _refs.GetOrAdd(text ?? "", path => system.Provider.ResolveActorRef(path));
        return new PartitionRequest((long)decoded.RequestId, request, replyTo);
    }

    private static PartitionReply ReadReply(ref MessagePackReader r)
    {
        var (text, envelope) = ReadItem(ref r);
        var decoded = MessageCodec.DecodeResponse(envelope);
        if (decoded.Message is null) throw new SerializationException(decoded.Error ?? "bad response");
        return new PartitionReply((long)decoded.RequestId, decoded.Message, text);
    }

    private static (string? Text, ReadOnlySequence<byte> Envelope) ReadItem(ref MessagePackReader r)
    {
        var n = r.ReadArrayHeader();
        if (n < 2) throw new SerializationException("an item needs a text and an envelope");
        var text = r.ReadString();
        var envelope = r.ReadBytes() ?? throw new SerializationException("missing envelope");
        for (var i = 2; i < n; i++) r.Skip();
        return (text, envelope);
    }

    private static int ReadBatchCount(ref MessagePackReader r)
    {
        var count = r.ReadArrayHeader();
        return count <= MaxBatchItems ? count : throw new SerializationException($"a batch of {count} items (at most {MaxBatchItems})");
    }
}
