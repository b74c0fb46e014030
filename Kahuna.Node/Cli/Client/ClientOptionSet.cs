using System.CommandLine;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Cli.Client;

/// <summary>
/// The options every client command takes: where the cluster is, how long to wait, how to print, and (for
/// locks and keys) where the data lives. Each command gets its own instances so its help lists them.
/// </summary>
internal sealed class ClientOptionSet
{
    public const string EndpointsVariable = "KAHUNA_ENDPOINTS";
    public const string DefaultEndpoints = "127.0.0.1:7070";
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    // The client's own default connect timeout; a shorter --timeout caps it.
    private static readonly TimeSpan MaxConnectTimeout = TimeSpan.FromSeconds(5);

    private ClientOptionSet(bool withDurability)
    {
        Ephemeral = withDurability
            ? new Option<bool>("--ephemeral") { Description = "Use the ephemeral store (leader memory only, fast, lost on leader change) instead of the persistent one" }
            : null;
    }

    public Option<string?> Endpoints { get; } = new("--endpoints")
    {
        Description = $"Comma-separated host:port list of nodes (env {EndpointsVariable}; default {DefaultEndpoints})",
        HelpName = "host:port,...",
    };

    public Option<TimeSpan?> Timeout { get; } = OptionFactory.Duration("--timeout", "How long the request may take, retries included (default 10s)");

    public Option<bool> Json { get; } = new("--json") { Description = "Print exactly one JSON object (camelCase fields as in the client API)" };

    public Option<string?> Token { get; } = new("--token")
    {
        Description = $"Client token for nodes that require authentication (env {TokenVariable}; prefer the variable: flags show in process lists)",
        HelpName = "secret",
    };

    public Option<bool> Tls { get; } = new("--tls") { Description = "Connect with TLS (the nodes' client port has a certificate)" };

    public Option<string?> TlsFingerprint { get; } = new("--tls-fingerprint")
    {
        Description = "Trust exactly the server certificate with this SHA-256 fingerprint (self-signed certificates); implies --tls",
        HelpName = "hex",
    };

    public const string TokenVariable = "KAHUNA_TOKEN";

    /// <summary>Null for commands without a durability choice (sequences are always persistent).</summary>
    public Option<bool>? Ephemeral { get; }

    /// <summary>Creates the set and adds it to <paramref name="command"/>.</summary>
    public static ClientOptionSet AddTo(Command command, bool withDurability = true)
    {
        var set = new ClientOptionSet(withDurability);
        command.Add(set.Endpoints);
        command.Add(set.Timeout);
        if (set.Ephemeral is not null)
            command.Add(set.Ephemeral);
        command.Add(set.Json);
        command.Add(set.Token);
        command.Add(set.Tls);
        command.Add(set.TlsFingerprint);
        return set;
    }

    public Durability DurabilityOf(ParseResult parseResult) =>
        Ephemeral is not null && parseResult.GetValue(Ephemeral) ? Durability.Ephemeral : Durability.Persistent;

    /// <summary>The client options: flag, then environment, then default. A bad endpoint is a usage error.</summary>
    public KahunaClientOptions ClientOptionsOf(ParseResult parseResult, CliContext context)
    {
        var endpoints = parseResult.GetValue(Endpoints) ?? context.Variable(EndpointsVariable) ?? DefaultEndpoints;
        var timeout = parseResult.GetValue(Timeout) ?? DefaultTimeout;
        if (timeout <= TimeSpan.Zero)
            throw new CliUsageException("--timeout: must be more than zero");
        var options = KahunaClientOptions.FromEndpoints(endpoints) with
        {
            RequestTimeout = timeout,
            ConnectTimeout = timeout < MaxConnectTimeout ? timeout : MaxConnectTimeout,
            ClientName = "kahuna-cli",
            // One command sends one request: one connection is enough.
            ConnectionsPerEndpoint = 1,
            Credential = parseResult.GetValue(Token) ?? context.Variable(TokenVariable),
            UseTls = parseResult.GetValue(Tls) || parseResult.GetValue(TlsFingerprint) is not null,
            TlsPinnedCertificateSha256 = parseResult.GetValue(TlsFingerprint),
        };
        try
        {
            options.Validate();
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException($"--endpoints '{endpoints}': {ex.Message}");
        }
        return options;
    }
}
