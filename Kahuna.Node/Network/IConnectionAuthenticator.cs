using System.Net;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

/// <summary>
/// Decides whether a connection may proceed after its Hello. The default accepts everyone; real
/// authentication plugs in here without the server changing.
/// </summary>
public interface IConnectionAuthenticator
{
    /// <summary>Inspects the handshake (its credential) and the peer's address.</summary>
    ValueTask<AuthenticationResult> AuthenticateAsync(HelloRequest hello, EndPoint? remoteEndPoint, CancellationToken cancellationToken);
}

/// <summary>The authenticator's verdict; a refusal is answered Unauthorized and the connection is closed.</summary>
/// <param name="Accepted">Whether the connection may proceed.</param>
/// <param name="Principal">Who the client is (passed to the handler in <see cref="RequestContext"/>).</param>
/// <param name="Reason">Why it was refused, sent to the client.</param>
public sealed record AuthenticationResult(bool Accepted, string? Principal = null, string? Reason = null)
{
    /// <summary>Accepted, anonymous. A node that lets anyone in (authentication off) lets anyone administer it too.</summary>
    public static readonly AuthenticationResult Anonymous = new(true) { IsAdmin = true };

    /// <summary>Whether the client may run admin commands (a leadership transfer, later leave and split).</summary>
    public bool IsAdmin { get; init; }

    /// <summary>Refused, with a reason for the client.</summary>
    public static AuthenticationResult Refused(string reason) => new(false, null, reason);
}

/// <summary>Accepts every connection (the default until authentication is built).</summary>
public sealed class AcceptAllAuthenticator : IConnectionAuthenticator
{
    /// <summary>The one instance.</summary>
    public static readonly AcceptAllAuthenticator Instance = new();

    /// <inheritdoc />
    public ValueTask<AuthenticationResult> AuthenticateAsync(HelloRequest hello, EndPoint? remoteEndPoint, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AuthenticationResult.Anonymous);
}
