using System.Net;
using System.Security.Cryptography;
using System.Text;
using Kahuna.Node.Network;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Security;

/// <summary>
/// Checks the credential of every connection's handshake against the configured client tokens. Tokens are compared
/// by their SHA-256 digests in constant time (no timing hint about how much of a guess was right); the principal a
/// request carries is the token's name, so logs never need the secret.
/// </summary>
public sealed class TokenAuthenticator : IConnectionAuthenticator
{
    private readonly (string Name, byte[] Digest, bool IsAdmin)[] _tokens;

    /// <param name="tokens">Client tokens, name → secret.</param>
    /// <param name="adminTokens">Admin tokens: accepted like client tokens, and their holders may run admin commands.</param>
    public TokenAuthenticator(IReadOnlyDictionary<string, string> tokens, IReadOnlyDictionary<string, string>? adminTokens = null)
    {
        adminTokens ??= new Dictionary<string, string>();
        if (tokens.Count + adminTokens.Count == 0) throw new ArgumentException("at least one token is required");
        _tokens = tokens.Select(kv => (kv.Key, Digest(kv.Value), false))
            .Concat(adminTokens.Select(kv => (kv.Key, Digest(kv.Value), true)))
            .ToArray();
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(HelloRequest hello, EndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(hello.Credential))
            return ValueTask.FromResult(AuthenticationResult.Refused("this node requires a credential (a client token) in the handshake"));
        var digest = Digest(hello.Credential);
        string? match = null;
        var isAdmin = false;
        // Compare against every token, always, so the time taken does not depend on which one matched.
        foreach (var (name, expected, admin) in _tokens)
        {
            if (!CryptographicOperations.FixedTimeEquals(digest, expected)) continue;
            match = name;
            isAdmin = admin;
        }
        return ValueTask.FromResult(match is null
            ? AuthenticationResult.Refused("the credential is not a valid client token")
            : new AuthenticationResult(true, match) { IsAdmin = isAdmin });
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
