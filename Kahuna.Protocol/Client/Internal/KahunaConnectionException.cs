namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// A connection could not be made or was lost. <see cref="IsRetryable"/> tells the retry loop whether
/// another attempt (possibly on another endpoint) may help; a refused handshake is not retryable.
/// <see cref="NoEndpointReachable"/> marks the pool's verdict after it tried every endpoint and none took a connection.
/// </summary>
internal sealed class KahunaConnectionException(KahunaStatus status, string message, bool isRetryable, Exception? inner = null,
    bool noEndpointReachable = false)
    : Exception(message, inner)
{
    public bool NoEndpointReachable { get; } = noEndpointReachable;

    public KahunaStatus Status { get; } = status;

    public bool IsRetryable { get; } = isRetryable;
}
