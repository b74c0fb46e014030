using Akka.Configuration;
using Kahuna.Node.Hosting;
using Kahuna.Node.Security;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Support;
using Xunit;

namespace Kahuna.Tests.Node.Security;

/// <summary>Client tokens checked in the handshake, TLS on the client port, TLS between nodes.</summary>
[Collection("cluster")]
public sealed class SecurityTests
{
    private const string Secret = "0123456789abcdef-app1-secret";

    [Fact]
    public async Task TokenAuthenticator_AcceptsConfiguredTokens_ByName_AndRefusesOthers()
    {
        var auth = new TokenAuthenticator(new Dictionary<string, string> { ["app1"] = Secret, ["app2"] = "another-secret-of-16+" });
        var ok = await auth.AuthenticateAsync(new HelloRequest { ProtocolVersion = 1, Credential = Secret }, null, default);
        Assert.True(ok.Accepted);
        Assert.Equal("app1", ok.Principal);
        Assert.False((await auth.AuthenticateAsync(new HelloRequest { ProtocolVersion = 1, Credential = Secret + "x" }, null, default)).Accepted);
        var none = await auth.AuthenticateAsync(new HelloRequest { ProtocolVersion = 1 }, null, default);
        Assert.False(none.Accepted);
        Assert.Contains("requires a credential", none.Reason);
    }

    [Fact]
    public void Settings_ReadTokensFromTheEnvironment_AndRefuseAnOpenNodeByAccident()
    {
        var root = KahunaSettings.DefaultConfig();
        var env = new Dictionary<string, string?> { ["KAHUNA_TOKENS"] = $"app1={Secret}, ci=ci-token-0123456789" };
        var settings = SecuritySettings.Create(root, k => env.GetValueOrDefault(k));
        Assert.True(settings.AuthenticationRequired);
        Assert.Equal(Secret, settings.Tokens["app1"]);
        Assert.Equal(2, settings.Tokens.Count);

        var open = SecuritySettings.Create(root, _ => null);
        var error = Assert.Throws<ArgumentException>(open.Validate);
        Assert.Contains("--insecure", error.Message);
        Assert.Throws<ConfigurationException>(() => SecuritySettings.Create(root, k => k == "KAHUNA_TOKENS" ? "short=abc" : null));
    }

    [Fact]
    public async Task Node_WithTokensAndTls_ServesOnlyAuthenticatedTlsClients()
    {
        using var temp = new TempDirectory();
        var pfx = Path.Combine(temp.Path, "node.pfx");
        var fingerprint = TestCertificates.CreatePfx(pfx, "pfx-password");
        var env = new Dictionary<string, string?>
        {
            ["KAHUNA_TOKENS"] = $"app1={Secret}",
            ["KAHUNA_TLS_CERTIFICATE"] = pfx,
            ["KAHUNA_TLS_PASSWORD"] = "pfx-password",
        };
        await using var node = await KahunaNode.StartAsync(new NodeOptions
        {
            NodeId = "n1", ClientPort = 0, ClusterPort = 0, DataDirectory = temp.Sub("n1"), Partitions = 1,
            ConfigOverrides = "kahuna.raft.tick-interval = 50ms", Environment = k => env.GetValueOrDefault(k),
        });
        var endpoint = $"127.0.0.1:{node.ClientEndPoint.Port}";
        // Refused connections are retried by the client until its timeout: keep it short where refusal is expected.
        KahunaClient Client(string? token, bool tls, string? pin, int timeoutSeconds = 2) => new(new KahunaClientOptions
        {
            Endpoints = [endpoint], Credential = token, UseTls = tls, TlsPinnedCertificateSha256 = pin,
            RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds), ConnectTimeout = TimeSpan.FromSeconds(1),
        });

        await using (var good = Client(Secret, tls: true, pin: fingerprint, timeoutSeconds: 15))
        {
            Assert.True((await good.SetAsync("secure", "yes")).Succeeded);
            Assert.Equal("yes", (await good.GetAsync("secure")).ValueAsString());
        }
        await using (var noToken = Client(null, tls: true, pin: fingerprint))
            Assert.Equal(KahunaStatus.Unauthorized, (await Assert.ThrowsAsync<KahunaException>(() => noToken.GetAsync("secure"))).Status);
        await using (var badPin = Client(Secret, tls: true, pin: new string('A', 64)))
            Assert.Equal(KahunaStatus.Unauthorized, (await Assert.ThrowsAsync<KahunaException>(() => badPin.GetAsync("secure"))).Status);
        await using (var untrusted = Client(Secret, tls: true, pin: null))
            await Assert.ThrowsAsync<KahunaException>(() => untrusted.GetAsync("secure")); // self-signed: not in the trusted roots
        await using (var plain = Client(Secret, tls: false, pin: null))
            await Assert.ThrowsAsync<KahunaException>(() => plain.GetAsync("secure"));
    }

    [Fact]
    public async Task Nodes_TalkToEachOverTls_WhenRemotingTlsIsConfigured()
    {
        using var temp = new TempDirectory();
        var pfx = Path.Combine(temp.Path, "cluster.pfx");
        TestCertificates.CreatePfx(pfx, "cluster-password");
        var tls = $$"""
            kahuna.raft.tick-interval = 50ms
            akka.remote.dot-netty.tcp {
              enable-ssl = true
              ssl {
                certificate { path = "{{pfx}}", password = "cluster-password" }
                # A self-signed test certificate: trust it without a CA (production uses a CA-signed one).
                suppress-validation = true
              }
            }
            """;
        var nodes = new List<KahunaNode>();
        try
        {
            string? seed = null;
            foreach (var id in new[] { "n1", "n2", "n3" })
            {
                var node = await KahunaNode.StartAsync(new NodeOptions
                {
                    NodeId = id, ClientPort = 0, ClusterPort = 0, DataDirectory = temp.Sub(id), Partitions = 2,
                    Seeds = seed is null ? [] : [seed], ClusterNodes = ["n1", "n2", "n3"], Insecure = true, ConfigOverrides = tls,
                });
                seed ??= $"127.0.0.1:{node.ClusterAddress.Port}";
                nodes.Add(node);
            }
            await using var client = new KahunaClient(string.Join(",", nodes.Select(n => $"127.0.0.1:{n.ClientEndPoint.Port}")));
            // A replicated write needs a quorum, so it can only succeed if the nodes reach each other over TLS.
            for (var i = 0; i < 10; i++) Assert.True((await client.SetAsync($"over-tls-{i}", "ok")).Succeeded);
        }
        finally
        {
            foreach (var n in nodes) await n.StopAsync();
        }
    }
}
