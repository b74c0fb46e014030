namespace Kahuna.Protocol;

/// <summary>Facts about the wire protocol as a whole.</summary>
public static class ProtocolInfo
{
    /// <summary>The protocol version this library speaks; sent in every handshake.</summary>
    public const int Version = 1;
}
