using System.Net;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

/// <summary>
/// What the TCP edge hands every decoded, validated request to. The server knows frames and sessions;
/// the handler (supplied by the host) knows partitions and storage. Requests of one connection are
/// handed over concurrently and may complete in any order.
/// </summary>
public interface IKahunaRequestHandler
{
    /// <summary>
    /// Executes one request and returns its answer. The request has already passed
    /// <see cref="Kahuna.Protocol.Validation.RequestValidator"/>; Hello and Ping never reach the handler.
    /// An exception becomes an InternalError answer for this request only. Must not block the caller:
    /// do the work asynchronously.
    /// </summary>
    ValueTask<KahunaResponse> HandleAsync(KahunaRequest request, RequestContext context, CancellationToken cancellationToken);
}

/// <summary>Who sent a request: the connection's identity, fixed at the handshake.</summary>
/// <param name="ConnectionId">The server-local id of the connection.</param>
/// <param name="RemoteEndPoint">The peer's address.</param>
/// <param name="ClientName">The name the client gave in its Hello, if any.</param>
/// <param name="Principal">Who the authenticator says the client is, if anyone.</param>
public sealed record RequestContext(long ConnectionId, EndPoint? RemoteEndPoint, string? ClientName, string? Principal)
{
    /// <summary>Whether the handshake's credential allows admin commands (an admin token, or a node without authentication).</summary>
    public bool IsAdmin { get; init; }
}
