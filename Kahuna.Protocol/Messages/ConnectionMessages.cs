using MessagePack;

namespace Kahuna.Protocol.Messages;

/// <summary>
/// The first frame on every connection: states the protocol version and, when authentication is on,
/// a credential. Anything else first is a protocol error and closes the connection.
/// </summary>
[MessagePackObject]
public sealed record HelloRequest : KahunaRequest
{
    /// <summary>The protocol version the client speaks (<see cref="ProtocolInfo.Version"/>).</summary>
    [Key(0)]
    public int ProtocolVersion { get; init; }

    /// <summary>A name for logs and diagnostics (optional).</summary>
    [Key(1)]
    public string? ClientName { get; init; }

    /// <summary>A credential for the server's authenticator (optional).</summary>
    [Key(2)]
    public string? Credential { get; init; }
}

/// <summary>Answer to <see cref="HelloRequest"/>; a status other than Ok is followed by a close.</summary>
[MessagePackObject]
public sealed record HelloReply : KahunaResponse
{
    /// <summary>The protocol version the server speaks.</summary>
    [Key(2)]
    public int ProtocolVersion { get; init; }

    /// <summary>The id of the node that accepted the connection.</summary>
    [Key(3)]
    public string? NodeId { get; init; }
}

/// <summary>Keep-alive and health probe; the server answers it without touching any partition.</summary>
[MessagePackObject]
public sealed record PingRequest : KahunaRequest
{
    /// <summary>The one instance: a ping has no fields.</summary>
    public static readonly PingRequest Instance = new();
}

/// <summary>Answer to <see cref="PingRequest"/>.</summary>
[MessagePackObject]
public sealed record PingReply : KahunaResponse;
