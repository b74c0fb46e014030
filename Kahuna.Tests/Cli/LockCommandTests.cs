using Kahuna.Node.Cli;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>`kahuna lock …` end to end: owners passed between separate invocations, busy locks, fencing tokens.</summary>
public sealed class LockCommandTests : IAsyncLifetime
{
    private const string OwnerA = "aa01";
    private const string OwnerB = "bb02";

    private TestServer _server = null!;
    private CliRunner _cli = null!;

    public Task InitializeAsync()
    {
        _server = TestServer.Start();
        _cli = CliRunner.For(_server.Endpoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Acquire_WithoutOwner_PrintsAGeneratedOwner_ThatAnotherInvocationCanRelease()
    {
        var acquired = await _cli.RunAsync("lock", "acquire", "jobs/1", "--lease", "30s", "--json");
        var json = acquired.Json();
        var owner = json.GetProperty("owner").GetString()!;

        var released = await new CliRunner { Environment = { ["KAHUNA_ENDPOINTS"] = _server.Endpoint } }
            .RunAsync("lock", "release", "jobs/1", "--owner", owner);

        Assert.Equal(ExitCodes.Success, acquired.ExitCode);
        Assert.Equal("Ok", json.GetProperty("status").GetString());
        Assert.True(json.GetProperty("acquired").GetBoolean());
        Assert.Equal(1, json.GetProperty("fencingToken").GetInt64());
        Assert.Matches("^[0-9a-f]{32}$", owner);
        Assert.Equal(ExitCodes.Success, released.ExitCode);
        Assert.Equal("released lock \"jobs/1\"", released.Out.Trim());
        Assert.Equal(ExitCodes.NegativeOutcome, (await _cli.RunAsync("lock", "get", "jobs/1")).ExitCode);
    }

    [Fact]
    public async Task Acquire_InHumanMode_PrintsOwnerTokenAndExpiry_AndHowToRelease()
    {
        var run = await _cli.RunAsync("lock", "acquire", "jobs/1", "--lease", "10s");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Matches("^acquired lock \"jobs/1\" owner=[0-9a-f]{32} token=1 expires=\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z$", run.Out.Trim());
        Assert.Contains("kahuna lock release jobs/1 --owner ", run.Error);
        Assert.Equal(10_000, Assert.Single(_server.Handler.Received.OfType<TryLockRequest>()).LeaseMs);
    }

    [Fact]
    public async Task Acquire_HeldByAnotherOwner_IsBusy_ExitOne()
    {
        await _cli.RunAsync("lock", "acquire", "jobs/1", "--lease", "30s", "--owner", OwnerA);

        var human = await _cli.RunAsync("lock", "acquire", "jobs/1", "--lease", "30s", "--owner", OwnerB);
        var json = await _cli.RunAsync("lock", "acquire", "jobs/1", "--lease", "30s", "--owner", OwnerB, "--json");

        Assert.Equal(ExitCodes.NegativeOutcome, human.ExitCode);
        Assert.Equal("", human.Out);
        Assert.Contains("busy: \"jobs/1\" is held by another owner", human.Error);
        Assert.Equal(ExitCodes.NegativeOutcome, json.ExitCode);
        Assert.Equal("Busy", json.Status);
        Assert.False(json.Json().GetProperty("acquired").GetBoolean());
    }

    [Fact]
    public async Task Acquire_AgainAsTheSameOwner_KeepsTheFencingToken()
    {
        var first = await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA, "--json");
        var again = await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA, "--json");

        Assert.Equal(ExitCodes.Success, again.ExitCode);
        Assert.Equal(first.Json().GetProperty("fencingToken").GetInt64(), again.Json().GetProperty("fencingToken").GetInt64());
    }

    [Fact]
    public async Task Acquire_WithWait_GetsTheLockOnceItIsReleased()
    {
        await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA);
        var waiting = _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerB, "--wait", "20s", "--json");
        await Eventually.TrueAsync(() => _server.Handler.Received.OfType<TryLockRequest>().Count() >= 2, TimeSpan.FromSeconds(10), "the waiter tried once");

        var released = await _cli.RunAsync("lock", "release", "r", "--owner", OwnerA);
        var run = await waiting.WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(ExitCodes.Success, released.ExitCode);
        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Equal(OwnerB, run.Json().GetProperty("owner").GetString());
        Assert.Equal(2, run.Json().GetProperty("fencingToken").GetInt64());
    }

    [Fact]
    public async Task Extend_ByTheOwner_MovesTheExpiry_AndByAnotherIsNotOwner()
    {
        await _cli.RunAsync("lock", "acquire", "r", "--lease", "10s", "--owner", OwnerA);

        var extended = await _cli.RunAsync("lock", "extend", "r", "--lease", "1h", "--owner", OwnerA, "--json");
        var stranger = await _cli.RunAsync("lock", "extend", "r", "--lease", "1h", "--owner", OwnerB);
        var strangerJson = await _cli.RunAsync("lock", "extend", "r", "--lease", "1h", "--owner", OwnerB, "--json");
        var notHeld = await _cli.RunAsync("lock", "extend", "free", "--lease", "1h", "--owner", OwnerA, "--json");

        Assert.Equal(ExitCodes.Success, extended.ExitCode);
        Assert.True(extended.Json().GetProperty("extended").GetBoolean());
        Assert.Equal(1, extended.Json().GetProperty("fencingToken").GetInt64());
        var expiresAt = DateTimeOffset.Parse(extended.Json().GetProperty("expiresAt").GetString()!);
        Assert.True(expiresAt > DateTimeOffset.UtcNow.AddMinutes(50));
        Assert.Equal(ExitCodes.NegativeOutcome, stranger.ExitCode);
        Assert.Contains("not owner: lock \"r\" is held by another owner", stranger.Error);
        Assert.Equal("NotOwner", strangerJson.Status);
        Assert.Equal(ExitCodes.NegativeOutcome, notHeld.ExitCode);
        Assert.Equal("NotFound", notHeld.Status);
    }

    [Fact]
    public async Task Release_ByAnotherOwner_IsNotOwner_AndOfAFreeLockIsNotFound()
    {
        await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA);

        var stranger = await _cli.RunAsync("lock", "release", "r", "--owner", OwnerB, "--json");
        var owner = await _cli.RunAsync("lock", "release", "r", "--owner", OwnerA, "--json");
        var again = await _cli.RunAsync("lock", "release", "r", "--owner", OwnerA);

        Assert.Equal(ExitCodes.NegativeOutcome, stranger.ExitCode);
        Assert.Equal("NotOwner", stranger.Status);
        Assert.Equal(ExitCodes.Success, owner.ExitCode);
        Assert.True(owner.Json().GetProperty("released").GetBoolean());
        Assert.Equal(ExitCodes.NegativeOutcome, again.ExitCode);
        Assert.Contains("not found: lock \"r\" is not held", again.Error);
    }

    [Fact]
    public async Task Get_ShowsOwnerTokenAndExpiry_OrNotFound()
    {
        await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA);

        var human = await _cli.RunAsync("lock", "get", "r");
        var json = await _cli.RunAsync("lock", "get", "r", "--json");
        var free = await _cli.RunAsync("lock", "get", "free", "--json");

        Assert.Equal(ExitCodes.Success, human.ExitCode);
        Assert.Matches($"^lock \"r\" owner={OwnerA} token=1 expires=", human.Out.Trim());
        Assert.Equal(OwnerA, json.Json().GetProperty("owner").GetString());
        Assert.Equal(1, json.Json().GetProperty("fencingToken").GetInt64());
        Assert.True(json.Json().GetProperty("found").GetBoolean());
        Assert.Equal(ExitCodes.NegativeOutcome, free.ExitCode);
        Assert.Equal("NotFound", free.Status);
    }

    [Fact]
    public async Task Ephemeral_LocksAreSeparateFromPersistentOnes()
    {
        await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerA, "--ephemeral");

        var persistent = await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerB);
        var ephemeral = await _cli.RunAsync("lock", "acquire", "r", "--lease", "30s", "--owner", OwnerB, "--ephemeral");

        Assert.Equal(ExitCodes.Success, persistent.ExitCode);
        Assert.Equal(ExitCodes.NegativeOutcome, ephemeral.ExitCode);
        Assert.Contains(_server.Handler.Received.OfType<TryLockRequest>(), r => r.Durability == Durability.Ephemeral);
    }
}
