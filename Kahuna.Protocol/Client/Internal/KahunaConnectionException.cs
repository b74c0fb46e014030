namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// A connection could not be made or was lost. <see cref="IsRetryable"/> tells the retry loop whether
/// another attempt (possibly on another endpoint) may help; a refused handshake is not retryable.
/// </summary>
internal sealed class KahunaConnectionException(KahunaStatus status, string message, bool isRetryable, Exception? inner = null)
    : Exception(message, inner)
{
    public KahunaStatus Status { get; } = status;

    public bool IsRetryable { get; } = isRetryable;
}
