using Akka.Configuration;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Client;
using Kahuna.Node.Hosting;
using Kahuna.Node.Security;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Validation;
using Kahuna.Tests.Cli.Support;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>The admin command that hands a partition's leadership to another replica, and the admin credential it needs.</summary>
[Collection("cluster")]
public sealed class TransferLeaderTests
{
    private const string AppToken = "app-token-0123456789abcdef";
    private const string AdminToken = "admin-token-0123456789abcdef";

    private static readonly Dictionary<string, string?> SecuredEnvironment = new()
    {
        ["KAHUNA_TOKENS"] = $"app={AppToken}",
        ["KAHUNA_ADMIN_TOKENS"] = $"ops={AdminToken}",
    };

    [Fact]
    public async Task AdminToken_MovesLeadership_ClientTokenIsRefused_AndDataSurvives()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2, environment: k => SecuredEnvironment.GetValueOrDefault(k));
        await using var app = Client(cluster, AppToken);
        await using var admin = Client(cluster, AdminToken);
        Assert.True((await app.SetAsync("moved/1", "before")).Succeeded);

        var refused = await Assert.ThrowsAsync<KahunaException>(() => app.TransferLeaderAsync(0, "n2"));
        Assert.Equal(KahunaStatus.Unauthorized, refused.Status);
        Assert.Contains("admin", refused.Message);

        var leader = await LeaderOfAsync(admin, 0, _ => true);
        var target = leader == "n1" ? "n2" : "n1";
        Assert.Equal(leader, await admin.TransferLeaderAsync(0, target));
        Assert.Equal(target, await WaitForTransferAsync(admin, 0, target));

        // Asking the leader to hand over to itself is a no-op, answered Ok.
        Assert.Equal(target, await admin.TransferLeaderAsync(0, target));
        Assert.Equal("before", (await app.GetAsync("moved/1")).ValueAsString());
        Assert.True((await app.SetAsync("moved/1", "after")).Succeeded);
        Assert.Equal("after", (await app.GetAsync("moved/1")).ValueAsString());
    }

    [Fact]
    public async Task UnknownPartitionOrTarget_IsAnsweredClearly_AndTheCliWaitsForTheNewLeader()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2);
        await using var client = cluster.Client();

        Assert.Equal(KahunaStatus.NotFound, (await Assert.ThrowsAsync<KahunaException>(() => client.TransferLeaderAsync(7, "n1"))).Status);
        var notReplica = await Assert.ThrowsAsync<KahunaException>(() => client.TransferLeaderAsync(1, "n9"));
        Assert.Equal(KahunaStatus.InvalidInput, notReplica.Status);
        Assert.Contains("holds no replica", notReplica.Message);

        var leader = await LeaderOfAsync(client, 1, _ => true);
        var target = leader == "n3" ? "n2" : "n3";
        var cli = CliRunner.For(cluster.Endpoints.Split(',')[0]);
        var run = await cli.RunAsync("cluster", "transfer-leader", "1", target, "--wait", "20s", "--json");
        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var fields = run.Json();
        Assert.Equal(target, fields.GetProperty("leader").GetString());
        Assert.Equal(leader, fields.GetProperty("previousLeader").GetString());

        var usage = await cli.RunAsync("cluster", "transfer-leader", "one", "n2");
        Assert.Equal(ExitCodes.UsageError, usage.ExitCode);
    }

    [Fact]
    public async Task Settings_ReadAdminTokens_AndTheAuthenticatorMarksTheirHolders()
    {
        var root = KahunaSettings.DefaultConfig();
        var settings = SecuritySettings.Create(root, k => SecuredEnvironment.GetValueOrDefault(k));
        Assert.Equal(AdminToken, settings.AdminTokens["ops"]);
        settings.Validate();
        // An admin token alone is enough to start a node that requires authentication.
        SecuritySettings.Create(root, k => k == "KAHUNA_ADMIN_TOKENS" ? $"ops={AdminToken}" : null).Validate();
        Assert.Throws<ConfigurationException>(() => SecuritySettings.Create(root, k => k == "KAHUNA_ADMIN_TOKENS" ? "ops=short" : null));
        Assert.Throws<ConfigurationException>(() => SecuritySettings.Create(root,
            k => k switch { "KAHUNA_TOKENS" => $"ops={AppToken}", "KAHUNA_ADMIN_TOKENS" => $"ops={AdminToken}", _ => null }));

        var auth = new TokenAuthenticator(settings.Tokens, settings.AdminTokens);
        var app = await auth.AuthenticateAsync(new HelloRequest { ProtocolVersion = 1, Credential = AppToken }, null, default);
        var ops = await auth.AuthenticateAsync(new HelloRequest { ProtocolVersion = 1, Credential = AdminToken }, null, default);
        Assert.True(app.Accepted && !app.IsAdmin);
        Assert.True(ops.Accepted && ops.IsAdmin);
        Assert.Equal("ops", ops.Principal);

        Assert.False(RequestValidator.Validate(new TransferLeaderRequest { PartitionId = -1, TargetNodeId = "n1" }).IsValid);
        Assert.False(RequestValidator.Validate(new TransferLeaderRequest { PartitionId = 0, TargetNodeId = "" }).IsValid);
    }

    private static KahunaClient Client(InProcessKahunaCluster cluster, string token) => new(new KahunaClientOptions
    {
        Endpoints = cluster.Endpoints.Split(','),
        Credential = token,
        RequestTimeout = TimeSpan.FromSeconds(20),
    });

    /// <summary>
    /// Waits like <c>kahuna cluster transfer-leader --wait</c>: a leader abandons a transfer that did not finish within an
    /// election timeout (a loaded machine can make the target that slow to catch up), so it is asked for again.
    /// </summary>
    private static Task<string?> WaitForTransferAsync(KahunaClient client, int partitionId, string target) =>
        new LeaderTransferWait(
            async ct => (await client.GetClusterStatusAsync(ct)).Partitions.Single(p => p.Id == partitionId).Leader,
            ct => client.TransferLeaderAsync(partitionId, target, ct),
            TimeSpan.FromMilliseconds(50), LeaderTransferWait.DefaultAskAgainEvery).RunAsync(target, TimeSpan.FromSeconds(30), CancellationToken.None);

    /// <summary>Polls the cluster status until the partition's leader satisfies <paramref name="accept"/> (a deadline, no fixed sleeps).</summary>
    private static async Task<string> LeaderOfAsync(KahunaClient client, int partitionId, Func<string, bool> accept)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        string? last = null;
        while (DateTime.UtcNow < deadline)
        {
            var status = await client.GetClusterStatusAsync();
            last = status.Partitions.Single(p => p.Id == partitionId).Leader;
            if (last is not null && accept(last)) return last;
            await Task.Delay(50);
        }
        throw new TimeoutException($"partition {partitionId}: leader still {last ?? "unknown"} after 30s");
    }
}
