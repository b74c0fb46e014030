using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace Kahuna.Node.Security;

/// <summary>The <c>kahuna.security</c> section: who may connect and whether the client port speaks TLS.</summary>
public sealed record SecuritySettings(bool AuthenticationRequired, IReadOnlyDictionary<string, string> Tokens, string? TlsCertificatePath, string? TlsPassword)
{
    /// <summary>
    /// Reads the section, adding tokens from KAHUNA_TOKENS ("name=secret,name2=secret2") and the certificate from
    /// KAHUNA_TLS_CERTIFICATE / KAHUNA_TLS_PASSWORD, so secrets need not sit in files.
    /// </summary>
    public static SecuritySettings Create(Config root, Func<string, string?> environment)
    {
        var c = root.GetConfig("kahuna.security") ?? throw new ConfigurationException("missing kahuna.security");
        var mode = c.GetString("authentication", "required").ToLowerInvariant();
        if (mode is not ("required" or "off"))
            throw new ConfigurationException($"kahuna.security.authentication must be 'required' or 'off', not '{mode}'");
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var section = c.GetConfig("tokens");
        if (section is not null)
            foreach (var (name, value) in section.AsEnumerable())
                tokens[name] = value.GetString();
        foreach (var pair in (environment("KAHUNA_TOKENS") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1) throw new ConfigurationException("KAHUNA_TOKENS takes name=secret pairs separated by commas");
            tokens[pair[..eq]] = pair[(eq + 1)..];
        }
        if (tokens.Values.Any(t => t.Length < 16))
            throw new ConfigurationException("client tokens must be at least 16 characters long (use random ones, e.g. `openssl rand -hex 24`)");
        var certificate = Blank(environment("KAHUNA_TLS_CERTIFICATE")) ?? Blank(c.GetString("tls.certificate", ""));
        var password = environment("KAHUNA_TLS_PASSWORD") ?? c.GetString("tls.password", "");
        return new SecuritySettings(mode == "required", tokens, certificate, password);
    }

    /// <summary>Refuses a configuration that would leave the node open by accident.</summary>
    public void Validate()
    {
        if (AuthenticationRequired && Tokens.Count == 0)
            throw new ArgumentException(
                "authentication is required but no client tokens are configured: set kahuna.security.tokens in a --config file " +
                "or KAHUNA_TOKENS=\"name=secret\", or start with --insecure to accept anyone (for local development only)");
        if (TlsCertificatePath is not null && !File.Exists(TlsCertificatePath))
            throw new ArgumentException($"the TLS certificate '{TlsCertificatePath}' does not exist");
    }

    public X509Certificate2? LoadCertificate() =>
        TlsCertificatePath is null ? null : X509CertificateLoader.LoadPkcs12FromFile(TlsCertificatePath, TlsPassword);

    private static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
