using System.Buffers;
using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Serialization;
using Kahuna.Protocol.Framing;
using MessagePack;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Serialization;

/// <summary>
/// Serializes the messages nodes exchange about client requests. The request and response inside are the wire
/// protocol's own MessagePack encoding (one contract for clients, nodes and Akka applications); the correlation id
/// travels as the envelope's request id. Bound in kahuna.conf to IKahunaNodeSerializable.
/// </summary>
public sealed class NodeSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    public const int SerializerId = 7302;
    private const string RequestManifest = "PQ";
    private const string ReplyManifest = "PR";

    // Reply targets are a handful of well-known router actors: resolve each path once.
    private readonly ConcurrentDictionary<string, IActorRef> _refs = new(StringComparer.Ordinal);

    public override int Identifier => SerializerId;

    public override string Manifest(object o) => o switch
    {
        PartitionRequest => RequestManifest,
        PartitionReply => ReplyManifest,
        _ => throw new ArgumentException($"NodeSerializer cannot serialize {o.GetType().Name}"),
    };

    public override byte[] ToBinary(object obj)
    {
        var envelope = new ArrayBufferWriter<byte>(128);
        string? text;
        switch (obj)
        {
            case PartitionRequest r:
                MessageCodec.EncodeRequest(envelope, (ulong)r.CorrelationId, r.Request);
                text = Akka.Serialization.Serialization.SerializedActorPath(r.ReplyTo);
                break;
            case PartitionReply r:
                MessageCodec.EncodeResponse(envelope, (ulong)r.CorrelationId, r.Response);
                text = r.LeaderHint;
                break;
            default:
                throw new ArgumentException($"NodeSerializer cannot serialize {obj.GetType().Name}");
        }
        var output = new ArrayBufferWriter<byte>(envelope.WrittenCount + 64);
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(2);
        w.Write(text);
        w.Write(envelope.WrittenSpan);
        w.Flush();
        return output.WrittenSpan.ToArray();
    }

    public override object FromBinary(byte[] bytes, string manifest)
    {
        var r = new MessagePackReader(bytes);
        var n = r.ReadArrayHeader();
        var text = r.ReadString();
        var envelope = r.ReadBytes() ?? throw new System.Runtime.Serialization.SerializationException("missing envelope");
        for (var i = 2; i < n; i++) r.Skip();
        switch (manifest)
        {
            case RequestManifest:
            {
                var decoded = MessageCodec.DecodeRequest(envelope);
                if (decoded.Message is null) throw new System.Runtime.Serialization.SerializationException(decoded.Error ?? "bad request");
                var replyTo = _refs.GetOrAdd(text ?? "", path => system.Provider.ResolveActorRef(path));
                return new PartitionRequest((long)decoded.RequestId, decoded.Message, replyTo);
            }
            case ReplyManifest:
            {
                var decoded = MessageCodec.DecodeResponse(envelope);
                if (decoded.Message is null) throw new System.Runtime.Serialization.SerializationException(decoded.Error ?? "bad response");
                return new PartitionReply((long)decoded.RequestId, decoded.Message, text);
            }
            default:
                throw new System.Runtime.Serialization.SerializationException($"NodeSerializer: unknown manifest '{manifest}'");
        }
    }
}
