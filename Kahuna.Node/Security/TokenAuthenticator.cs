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
    private readonly (string Name, byte[] Digest)[] _tokens;

    public TokenAuthenticator(IReadOnlyDictionary<string, string> tokens)
    {
        if (tokens.Count == 0) throw new ArgumentException("at least one token is required");
        _tokens = tokens.Select(kv => (kv.Key, Digest(kv.Value))).ToArray();
    }

    public ValueTask<AuthenticationResult> AuthenticateAsync(HelloRequest hello, EndPoint? remoteEndPoint, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(hello.Credential))
            return ValueTask.FromResult(AuthenticationResult.Refused("this node requires a credential (a client token) in the handshake"));
        var digest = Digest(hello.Credential);
        string? match = null;
        // Compare against every token, always, so the time taken does not depend on which one matched.
        foreach (var (name, expected) in _tokens)
            if (CryptographicOperations.FixedTimeEquals(digest, expected)) match = name;
        return ValueTask.FromResult(match is null
            ? AuthenticationResult.Refused("the credential is not a valid client token")
            : new AuthenticationResult(true, match));
    }

    private static byte[] Digest(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
