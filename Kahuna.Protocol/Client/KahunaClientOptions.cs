namespace Kahuna.Protocol.Client;

/// <summary>How a <see cref="KahunaClient"/> connects, times out and retries. Immutable; use <c>with</c> to change a copy.</summary>
public sealed record KahunaClientOptions
{
    /// <summary>Nodes to talk to, as <c>host:port</c>. The client uses the first that answers and fails over in order.</summary>
    public IReadOnlyList<string> Endpoints { get; init; } = [];

    /// <summary>
    /// Connections kept to each endpoint in use (default 1); requests are spread over them round-robin. One pipelined
    /// connection per node carries more requests per system call than two, which measured faster on every workload.
    /// </summary>
    public int ConnectionsPerEndpoint { get; init; } = 1;

    /// <summary>Time one call may take including every retry (default 10 seconds); then it fails with <see cref="KahunaStatus.Timeout"/>.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Time to open a connection and complete its handshake (default 5 seconds).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long one call keeps trying while no endpoint accepts a connection at all (default 3 seconds); then it fails
    /// with <see cref="KahunaStatus.Unavailable"/> instead of waiting out <see cref="RequestTimeout"/>. A node that
    /// restarts or an election is ridden out by the other endpoints and by <see cref="RequestTimeout"/>; this bound is
    /// for a cluster that is down or an endpoint list that is wrong. At least <see cref="RequestTimeout"/> turns it off.
    /// </summary>
    public TimeSpan UnreachableTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>A name for the server's logs (optional).</summary>
    public string? ClientName { get; init; }

    /// <summary>The credential sent in the handshake, when the server requires one.</summary>
    public string? Credential { get; init; }

    /// <summary>Requests one connection may have in flight (default 1024); more wait for a free slot.</summary>
    public int MaxInFlightPerConnection { get; init; } = ProtocolLimits.DefaultMaxInFlightPerConnection;

    /// <summary>Largest frame sent or accepted (default 2 MiB, the server's default).</summary>
    public int MaxFrameBytes { get; init; } = ProtocolLimits.DefaultMaxFrameBytes;

    /// <summary>First pause before retrying a retryable answer or a lost connection (default 10 ms); it doubles per attempt.</summary>
    public TimeSpan RetryInitialBackoff { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Longest pause between retries (default 1 second).</summary>
    public TimeSpan RetryMaxBackoff { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Pause between attempts while <see cref="KahunaClient.AcquireLockAsync"/> waits for a busy lock (default 50 ms, ±25 % jitter).</summary>
    public TimeSpan LockRetryInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Send each request straight to the node that leads its partition (learned from the cluster's status and
    /// refreshed in the background) instead of through the first reachable endpoint, which would forward it.
    /// </summary>
    public bool RouteToLeaders { get; init; } = true;

    /// <summary>How often the client refreshes its picture of partition leaders (also after errors).</summary>
    public TimeSpan RouteRefreshInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Speak TLS to every endpoint (the nodes' client port must have a certificate configured).</summary>
    public bool UseTls { get; init; }

    /// <summary>The name the server certificate must carry; defaults to the endpoint's host.</summary>
    public string? TlsServerName { get; init; }

    /// <summary>
    /// Trust exactly the server certificate with this SHA-256 fingerprint (hex, colons optional) instead of validating
    /// its chain: for self-signed certificates. Null validates the chain against the machine's trusted roots.
    /// </summary>
    public string? TlsPinnedCertificateSha256 { get; init; }

    /// <summary>Options for a comma-separated endpoint list such as <c>"127.0.0.1:7070,127.0.0.1:7071"</c>, other settings at their defaults.</summary>
    public static KahunaClientOptions FromEndpoints(string endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return new KahunaClientOptions
        {
            Endpoints = endpoints.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> when a setting is out of range or an endpoint cannot be parsed.</summary>
    public void Validate()
    {
        if (Endpoints is null || Endpoints.Count == 0)
            throw new ArgumentException("at least one endpoint is required", nameof(Endpoints));
        foreach (var endpoint in Endpoints)
        {
            try
            {
                Internal.EndpointAddress.Parse(endpoint);
            }
            catch (FormatException ex)
            {
                throw new ArgumentException(ex.Message, nameof(Endpoints), ex);
            }
        }
        Require(ConnectionsPerEndpoint is >= 1 and <= 64, nameof(ConnectionsPerEndpoint), "must be between 1 and 64");
        Require(MaxInFlightPerConnection >= 1, nameof(MaxInFlightPerConnection), "must be at least 1");
        Require(MaxFrameBytes >= ProtocolLimits.MinConfigurableFrameBytes, nameof(MaxFrameBytes), $"must be at least {ProtocolLimits.MinConfigurableFrameBytes}");
        Require(RequestTimeout > TimeSpan.Zero, nameof(RequestTimeout), "must be positive");
        Require(ConnectTimeout > TimeSpan.Zero, nameof(ConnectTimeout), "must be positive");
        Require(UnreachableTimeout > TimeSpan.Zero, nameof(UnreachableTimeout), "must be positive");
        Require(RetryInitialBackoff > TimeSpan.Zero && RetryMaxBackoff >= RetryInitialBackoff, nameof(RetryMaxBackoff), "backoffs must be positive and the maximum at least the initial one");
        Require(LockRetryInterval > TimeSpan.Zero, nameof(LockRetryInterval), "must be positive");
        Require(RouteRefreshInterval > TimeSpan.Zero, nameof(RouteRefreshInterval), "must be positive");
    }

    private static void Require(bool condition, string name, string message)
    {
        if (!condition)
            throw new ArgumentException($"{name}: {message}", name);
    }
}
