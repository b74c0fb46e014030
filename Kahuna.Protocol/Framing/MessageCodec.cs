using System.Buffers;
using System.Collections.Frozen;
using System.Reflection;
using Kahuna.Protocol.Messages;
using MessagePack;
using MessagePack.Formatters;
using MessagePack.Resolvers;

namespace Kahuna.Protocol.Framing;

/// <summary>
/// Encodes and decodes the envelopes carried in frames: <c>[requestId, request]</c> and
/// <c>[requestId, response]</c>. Decoding never throws: a payload from the network is hostile, so every
/// failure comes back as a <see cref="DecodedEnvelope{T}"/> with an error (and the request id when it
/// could be read, so the error can be answered to the right request).
/// </summary>
public static class MessageCodec
{
    /// <summary>
    /// The serializer options of the protocol: the standard resolver with MessagePack's untrusted-data
    /// security (depth limit, collision-resistant hashing).
    /// </summary>
    public static readonly MessagePackSerializerOptions Options =
        MessagePackSerializerOptions.Standard
            .WithResolver(StandardResolver.Instance)
            .WithSecurity(MessagePackSecurity.UntrustedData);

    /// <summary>Union tags of the request union, read from its attributes.</summary>
    public static readonly FrozenSet<int> RequestTags = TagsOf(typeof(KahunaRequest));

    /// <summary>Union tags of the response union, read from its attributes.</summary>
    public static readonly FrozenSet<int> ResponseTags = TagsOf(typeof(KahunaResponse));

    private static readonly IMessagePackFormatter<KahunaRequest?> RequestFormatter = Options.Resolver.GetFormatterWithVerify<KahunaRequest?>();
    private static readonly IMessagePackFormatter<KahunaResponse?> ResponseFormatter = Options.Resolver.GetFormatterWithVerify<KahunaResponse?>();

    /// <summary>Writes <c>[requestId, request]</c> as one MessagePack message.</summary>
    public static void EncodeRequest(IBufferWriter<byte> output, ulong requestId, KahunaRequest request)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2);
        writer.Write(requestId);
        RequestFormatter.Serialize(ref writer, request, Options);
        writer.Flush();
    }

    /// <summary>Writes <c>[requestId, response]</c> as one MessagePack message.</summary>
    public static void EncodeResponse(IBufferWriter<byte> output, ulong requestId, KahunaResponse response)
    {
        var writer = new MessagePackWriter(output);
        writer.WriteArrayHeader(2);
        writer.Write(requestId);
        ResponseFormatter.Serialize(ref writer, response, Options);
        writer.Flush();
    }

    /// <summary>Decodes a request envelope from one frame's payload.</summary>
    public static DecodedEnvelope<KahunaRequest> DecodeRequest(ReadOnlySequence<byte> payload) =>
        Decode(payload, RequestTags, RequestFormatter, "request");

    /// <summary>Decodes a response envelope from one frame's payload.</summary>
    public static DecodedEnvelope<KahunaResponse> DecodeResponse(ReadOnlySequence<byte> payload) =>
        Decode(payload, ResponseTags, ResponseFormatter, "response");

    /// <summary>
    /// Reads the request id from the start of a payload that may be cut short or too long to decode,
    /// so an error about it can still name the request. Returns 0 when it cannot be read.
    /// </summary>
    public static ulong PeekRequestId(ReadOnlySequence<byte> payloadStart)
    {
        try
        {
            var reader = new MessagePackReader(payloadStart);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 2)
                return 0;
            return reader.NextMessagePackType == MessagePackType.Integer ? reader.ReadUInt64() : 0;
        }
        catch (Exception)
        {
            return 0;
        }
    }

    private static DecodedEnvelope<T> Decode<T>(
        ReadOnlySequence<byte> payload, FrozenSet<int> knownTags, IMessagePackFormatter<T?> formatter, string what)
        where T : class
    {
        ulong requestId = 0;
        try
        {
            if (payload.IsEmpty)
                return DecodedEnvelope<T>.Failed(0, "empty frame");
            var reader = new MessagePackReader(payload);
            if (reader.NextMessagePackType != MessagePackType.Array)
                return DecodedEnvelope<T>.Failed(0, "frame is not a [requestId, message] array");
            int count = reader.ReadArrayHeader();
            if (count != 2)
                return DecodedEnvelope<T>.Failed(0, $"frame array has {count} elements, expected 2");
            if (reader.NextMessagePackType != MessagePackType.Integer)
                return DecodedEnvelope<T>.Failed(0, "request id is not an integer");
            requestId = reader.ReadUInt64();

            var (tagProblem, unknownTag) = CheckUnionTag(reader.CreatePeekReader(), knownTags, what);
            if (tagProblem is not null)
                return unknownTag ? DecodedEnvelope<T>.OfUnknownType(requestId, tagProblem) : DecodedEnvelope<T>.Failed(requestId, tagProblem);

            var message = formatter.Deserialize(ref reader, Options);
            if (message is null)
                return DecodedEnvelope<T>.Failed(requestId, $"{what} is nil");
            if (!reader.End)
                return DecodedEnvelope<T>.Failed(requestId, $"{reader.Sequence.Length - reader.Consumed} unexpected bytes after the {what}");
            return DecodedEnvelope<T>.Decoded(requestId, message);
        }
        catch (Exception ex)
        {
            return DecodedEnvelope<T>.Failed(requestId, $"undecodable {what}: {Flatten(ex)}");
        }
    }

    /// <summary>
    /// The union formatter silently turns an unknown tag into null; check it first to say so clearly. A well-formed
    /// union whose tag this build does not know is told apart (<c>UnknownTag</c>): it may be a newer client's request.
    /// </summary>
    private static (string? Problem, bool UnknownTag) CheckUnionTag(MessagePackReader reader, FrozenSet<int> knownTags, string what)
    {
        if (reader.TryReadNil())
            return ($"{what} is nil", false);
        if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 2)
            return ($"{what} is not a [tag, fields] union", false);
        if (reader.NextMessagePackType != MessagePackType.Integer)
            return ($"{what} union tag is not an integer", false);
        long tag = reader.ReadInt64();
        return tag is >= int.MinValue and <= int.MaxValue && knownTags.Contains((int)tag) ? (null, false) : ($"unknown {what} type tag {tag}", true);
    }

    private static string Flatten(Exception ex)
    {
        while (ex.InnerException is not null)
            ex = ex.InnerException;
        return ex.Message;
    }

    private static FrozenSet<int> TagsOf(Type unionBase) =>
        unionBase.GetCustomAttributes<UnionAttribute>().Select(u => u.Key).ToFrozenSet();
}

/// <summary>The result of decoding one envelope: the request id (0 when unreadable) and either the message or an error.</summary>
public readonly record struct DecodedEnvelope<T>(ulong RequestId, T? Message, string? Error) where T : class
{
    /// <summary>True when the message was decoded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>
    /// True when the envelope is well formed but its message's type tag is unknown to this build (a newer peer's
    /// message): the frame is whole, so a server can refuse that one request and keep the connection.
    /// </summary>
    public bool IsUnknownType { get; private init; }

    /// <summary>A decoded envelope.</summary>
    public static DecodedEnvelope<T> Decoded(ulong requestId, T message) => new(requestId, message, null);

    /// <summary>A failed envelope, with the request id when it could be read (else 0).</summary>
    public static DecodedEnvelope<T> Failed(ulong requestId, string error) => new(requestId, null, error);

    /// <summary>A well-formed envelope whose message type tag this build does not know.</summary>
    public static DecodedEnvelope<T> OfUnknownType(ulong requestId, string error) => new(requestId, null, error) { IsUnknownType = true };
}
