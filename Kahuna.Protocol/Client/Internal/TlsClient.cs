using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>Negotiates TLS for a client connection: chain validation, or a pinned certificate fingerprint.</summary>
internal static class TlsClient
{
    public static async Task<Stream> AuthenticateAsync(Stream inner, string host, KahunaClientOptions options, CancellationToken cancellationToken)
    {
        var pinned = Normalize(options.TlsPinnedCertificateSha256);
        var tls = new SslStream(inner, leaveInnerStreamOpen: false);
        try
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = options.TlsServerName ?? host,
                EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                    pinned is null
                        ? errors == SslPolicyErrors.None
                        : certificate is not null && string.Equals(Fingerprint(certificate), pinned, StringComparison.Ordinal),
            }, cancellationToken).ConfigureAwait(false);
            return tls;
        }
        catch (AuthenticationException e)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            throw new KahunaConnectionException(KahunaStatus.Unauthorized,
                $"TLS with {host} failed: {e.Message}" + (pinned is null ? "" : " (is the pinned fingerprint right?)"), isRetryable: false, e);
        }
    }

    /// <summary>The SHA-256 fingerprint of a certificate as upper-case hex (what <c>openssl x509 -fingerprint -sha256</c> prints, without colons).</summary>
    public static string Fingerprint(X509Certificate certificate) => Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    private static string? Normalize(string? fingerprint) =>
        string.IsNullOrWhiteSpace(fingerprint) ? null : fingerprint.Replace(":", "").Replace(" ", "").ToUpperInvariant();
}
