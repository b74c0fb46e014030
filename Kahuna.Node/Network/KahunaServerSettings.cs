using Kahuna.Protocol;

namespace Kahuna.Node.Network;

/// <summary>Limits and timeouts of the TCP edge. Immutable; use <c>with</c> to change a copy.</summary>
public sealed record KahunaServerSettings
{
    /// <summary>The defaults described on each property.</summary>
    public static readonly KahunaServerSettings Default = new();

    /// <summary>The node id sent in every HelloReply.</summary>
    public string NodeId { get; init; } = "kahuna";

    /// <summary>Largest frame payload accepted (default 2 MiB); a larger frame is a protocol error and closes the connection.</summary>
    public int MaxFrameBytes { get; init; } = ProtocolLimits.DefaultMaxFrameBytes;

    /// <summary>Requests one connection may have in flight (default 1024); at the limit the server stops reading that socket.</summary>
    public int MaxInFlightPerConnection { get; init; } = ProtocolLimits.DefaultMaxInFlightPerConnection;

    /// <summary>Open connections the server keeps (default 10,000); one more is answered Overloaded and closed.</summary>
    public int MaxConnections { get; init; } = 10_000;

    /// <summary>A connection with nothing in flight that sends no frame for this long is closed (default 5 minutes).</summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>A connection must complete its handshake within this time (default 10 seconds).</summary>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A write to a client that does not read for this long closes the connection (default 30 seconds).</summary>
    public TimeSpan WriteTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long <see cref="KahunaTcpServer.StopAsync"/> lets sessions finish in-flight requests before cutting them (default 5 seconds).</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>When set, every connection must speak TLS with this certificate (it needs its private key).</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2? TlsCertificate { get; init; }

    /// <summary>Throws when a setting is out of range; the server calls it on construction.</summary>
    public void Validate()
    {
        if (MaxFrameBytes < ProtocolLimits.MinConfigurableFrameBytes)
            throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, $"must be at least {ProtocolLimits.MinConfigurableFrameBytes}");
        if (MaxInFlightPerConnection < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxInFlightPerConnection), MaxInFlightPerConnection, "must be at least 1");
        if (MaxConnections < 1)
            throw new ArgumentOutOfRangeException(nameof(MaxConnections), MaxConnections, "must be at least 1");
        foreach (var (name, value) in new[] { (nameof(IdleTimeout), IdleTimeout), (nameof(HandshakeTimeout), HandshakeTimeout), (nameof(WriteTimeout), WriteTimeout), (nameof(ShutdownTimeout), ShutdownTimeout) })
            if (value <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(name, value, "must be positive");
    }
}
