namespace Kahuna.Protocol.Client;

/// <summary>
/// A fault: the request could not be carried out and retrying it as it is will not help (or retries ran
/// out of time). Normal outcomes such as Busy, NotFound, NotOwner or PreconditionFailed are results,
/// never this exception.
/// </summary>
public sealed class KahunaException : Exception
{
    /// <summary>Creates the exception for a status and a reason.</summary>
    public KahunaException(KahunaStatus status, string? message, Exception? innerException = null)
        : base($"{status}: {message ?? "no details"}", innerException)
    {
        Status = status;
        Reason = message;
    }

    /// <summary>
    /// Why the request failed: InvalidInput, TooLarge, Unauthorized, InternalError, ProtocolError,
    /// Timeout (retries ran out of time) or Unavailable (no endpoint could be reached).
    /// </summary>
    public KahunaStatus Status { get; }

    /// <summary>The server's or the client's explanation, without the status prefix.</summary>
    public string? Reason { get; }
}
