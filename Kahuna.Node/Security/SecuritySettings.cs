using System.Security.Cryptography.X509Certificates;
using Akka.Configuration;

namespace Kahuna.Node.Security;

/// <summary>
/// The <c>kahuna.security</c> section: who may connect, who may administer the cluster (admin tokens, also valid as
/// client tokens), and whether the client port speaks TLS.
/// </summary>
public sealed record SecuritySettings(bool AuthenticationRequired, IReadOnlyDictionary<string, string> Tokens, string? TlsCertificatePath, string? TlsPassword)
{
    /// <summary>Admin tokens (name = secret): their holders may also run admin commands such as a leadership transfer.</summary>
    public IReadOnlyDictionary<string, string> AdminTokens { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Reads the section, adding tokens from KAHUNA_TOKENS ("name=secret,name2=secret2"), admin tokens from
    /// KAHUNA_ADMIN_TOKENS (same form) and the certificate from KAHUNA_TLS_CERTIFICATE / KAHUNA_TLS_PASSWORD, so
    /// secrets need not sit in files.
    /// </summary>
    public static SecuritySettings Create(Config root, Func<string, string?> environment)
    {
        var c = root.GetConfig("kahuna.security") ?? throw new ConfigurationException("missing kahuna.security");
        var mode = c.GetString("authentication", "required").ToLowerInvariant();
        if (mode is not ("required" or "off"))
            throw new ConfigurationException($"kahuna.security.authentication must be 'required' or 'off', not '{mode}'");
        var tokens = ReadTokens(c, "tokens", environment("KAHUNA_TOKENS"), "KAHUNA_TOKENS");
        var adminTokens = ReadTokens(c, "admin-tokens", environment("KAHUNA_ADMIN_TOKENS"), "KAHUNA_ADMIN_TOKENS");
        foreach (var name in adminTokens.Keys.Where(tokens.ContainsKey))
            throw new ConfigurationException($"the token name '{name}' is both a client token and an admin token: give each its own name");
        var certificate = Blank(environment("KAHUNA_TLS_CERTIFICATE")) ?? Blank(c.GetString("tls.certificate", ""));
        var password = environment("KAHUNA_TLS_PASSWORD") ?? c.GetString("tls.password", "");
        return new SecuritySettings(mode == "required", tokens, certificate, password) { AdminTokens = adminTokens };
    }

    /// <summary>name = "secret" pairs from a HOCON section plus "name=secret,…" from an environment variable.</summary>
    private static Dictionary<string, string> ReadTokens(Config section, string path, string? fromEnvironment, string variable)
    {
        var tokens = new Dictionary<string, string>(StringComparer.Ordinal);
        var config = section.GetConfig(path);
        if (config is not null)
            foreach (var (name, value) in config.AsEnumerable())
                tokens[name] = value.GetString();
        foreach (var pair in (fromEnvironment ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = pair.IndexOf('=');
            if (eq <= 0 || eq == pair.Length - 1) throw new ConfigurationException($"{variable} takes name=secret pairs separated by commas");
            tokens[pair[..eq]] = pair[(eq + 1)..];
        }
        if (tokens.Values.Any(t => t.Length < 16))
            throw new ConfigurationException($"{(path == "tokens" ? "client" : "admin")} tokens must be at least 16 characters long (use random ones, e.g. `openssl rand -hex 24`)");
        return tokens;
    }

    /// <summary>Refuses a configuration that would leave the node open by accident.</summary>
    public void Validate()
    {
        if (AuthenticationRequired && Tokens.Count + AdminTokens.Count == 0)
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
