using System.Text;
using Kahuna.Node.Cli;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>`kahuna kv …` end to end against a real TCP server with the in-memory handler.</summary>
public sealed class KeyValueCommandTests : IAsyncLifetime
{
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
    public async Task Set_ThenGet_PrintsOkWithRevision_ThenTheValue()
    {
        var set = await _cli.RunAsync("kv", "set", "greeting", "hello world");
        var get = await _cli.RunAsync("kv", "get", "greeting");

        Assert.Equal(ExitCodes.Success, set.ExitCode);
        Assert.Equal("OK revision=1", set.Out.Trim());
        Assert.Equal(ExitCodes.Success, get.ExitCode);
        Assert.Equal("hello world", get.Out.Trim());
        Assert.Equal("", get.Error);
    }

    [Fact]
    public async Task SetAndGet_InJson_UseTheClientApiFieldNames()
    {
        var set = await _cli.RunAsync("kv", "set", "k", "v1", "--ttl", "1h", "--json");
        var get = await _cli.RunAsync("kv", "get", "k", "--json");

        var setJson = set.Json();
        Assert.Equal("Ok", setJson.GetProperty("status").GetString());
        Assert.True(setJson.GetProperty("succeeded").GetBoolean());
        Assert.Equal(1, setJson.GetProperty("revision").GetInt64());
        var getJson = get.Json();
        Assert.Equal("Ok", getJson.GetProperty("status").GetString());
        Assert.Equal("k", getJson.GetProperty("key").GetString());
        Assert.True(getJson.GetProperty("found").GetBoolean());
        Assert.Equal("v1", getJson.GetProperty("value").GetString());
        Assert.Equal("utf8", getJson.GetProperty("encoding").GetString());
        Assert.Equal(1, getJson.GetProperty("revision").GetInt64());
        var expiresAt = DateTimeOffset.Parse(getJson.GetProperty("expiresAt").GetString()!);
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromMinutes(50), TimeSpan.FromMinutes(61));
    }

    [Fact]
    public async Task Set_WithTtl_SendsItInMilliseconds_AndWithEphemeral_UsesTheEphemeralStore()
    {
        // A fractional TTL, and long enough that the key is still there for the reads below on a slow machine (1.5 s
        // was not: three CLI runs took longer than that once, and the last read found the key expired).
        await _cli.RunAsync("kv", "set", "session", "x", "--ttl", "1.5m", "--ephemeral");

        var request = Assert.Single(_server.Handler.Received.OfType<SetRequest>());
        Assert.Equal(90_000, request.TtlMs);
        Assert.Equal(Durability.Ephemeral, request.Durability);
        Assert.Equal(ExitCodes.NegativeOutcome, (await _cli.RunAsync("kv", "get", "session")).ExitCode);
        Assert.Equal("x", (await _cli.RunAsync("kv", "get", "session", "--ephemeral")).Out.Trim());
    }

    [Fact]
    public async Task Get_OfAMissingKey_ExitsOne_WithNotFoundOnStderr()
    {
        var human = await _cli.RunAsync("kv", "get", "missing");
        var json = await _cli.RunAsync("kv", "get", "missing", "--json");

        Assert.Equal(ExitCodes.NegativeOutcome, human.ExitCode);
        Assert.Equal("", human.Out);
        Assert.Contains("not found: \"missing\"", human.Error);
        Assert.Equal(ExitCodes.NegativeOutcome, json.ExitCode);
        Assert.Equal("NotFound", json.Status);
        Assert.False(json.Json().GetProperty("found").GetBoolean());
    }

    [Fact]
    public async Task Get_AtRevision_ReadsTheOlderValue()
    {
        await _cli.RunAsync("kv", "set", "k", "first");
        await _cli.RunAsync("kv", "set", "k", "second");

        var old = await _cli.RunAsync("kv", "get", "k", "--revision", "1", "--json");
        var latest = await _cli.RunAsync("kv", "get", "k");

        Assert.Equal("first", old.Json().GetProperty("value").GetString());
        Assert.Equal(1, old.Json().GetProperty("revision").GetInt64());
        Assert.Equal("second", latest.Out.Trim());
    }

    [Fact]
    public async Task BinaryValue_FromBase64_IsPrintedAsBase64_AndSaysSo()
    {
        var bytes = new byte[] { 0xff, 0x00, 0xfe, 0x41 };
        await _cli.RunAsync("kv", "set", "blob", "--value-base64", Convert.ToBase64String(bytes));

        var human = await _cli.RunAsync("kv", "get", "blob");
        var json = await _cli.RunAsync("kv", "get", "blob", "--json");

        Assert.Equal(Convert.ToBase64String(bytes), human.Out.Trim());
        Assert.Contains("base64", human.Error);
        Assert.Equal("base64", json.Json().GetProperty("encoding").GetString());
        Assert.Equal(Convert.ToBase64String(bytes), json.Json().GetProperty("value").GetString());
    }

    [Fact]
    public async Task Value_FromFile_AndFromStandardInput()
    {
        using var directory = new TempDirectory();
        var file = Path.Combine(directory.Path, "value.txt");
        await File.WriteAllTextAsync(file, "from a file ✓");
        _cli.StandardInput = Encoding.UTF8.GetBytes("from stdin");

        await _cli.RunAsync("kv", "set", "a", "--value-file", file);
        await _cli.RunAsync("kv", "set", "b", "--value-file", "-");

        Assert.Equal("from a file ✓", (await _cli.RunAsync("kv", "get", "a")).Out.Trim());
        Assert.Equal("from stdin", (await _cli.RunAsync("kv", "get", "b")).Out.Trim());
    }

    [Fact]
    public async Task Value_FromAMissingFile_ExitsThree()
    {
        var run = await _cli.RunAsync("kv", "set", "a", "--value-file", "/nonexistent/kahuna/value", "--json");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("InvalidInput", run.Status);
        Assert.Contains("--value-file", run.Error);
        Assert.Empty(_server.Handler.Received);
    }

    [Fact]
    public async Task IfNotExists_WritesOnce_ThenFailsThePrecondition()
    {
        var first = await _cli.RunAsync("kv", "set", "k", "a", "--if-not-exists");
        var second = await _cli.RunAsync("kv", "set", "k", "b", "--if-not-exists");
        var secondJson = await _cli.RunAsync("kv", "set", "k", "b", "--if-not-exists", "--json");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.Equal(ExitCodes.NegativeOutcome, second.ExitCode);
        Assert.Contains("precondition failed: \"k\" was not written (current revision=1)", second.Error);
        Assert.Equal("PreconditionFailed", secondJson.Status);
        Assert.False(secondJson.Json().GetProperty("succeeded").GetBoolean());
        Assert.Equal("a", (await _cli.RunAsync("kv", "get", "k")).Out.Trim());
    }

    [Fact]
    public async Task IfExists_FailsOnAMissingKey_AndSucceedsOnAnExistingOne()
    {
        var missing = await _cli.RunAsync("kv", "set", "k", "a", "--if-exists");
        await _cli.RunAsync("kv", "set", "k", "a");
        var existing = await _cli.RunAsync("kv", "set", "k", "b", "--if-exists");

        Assert.Equal(ExitCodes.NegativeOutcome, missing.ExitCode);
        Assert.Contains("the key does not exist", missing.Error);
        Assert.Equal(ExitCodes.Success, existing.ExitCode);
        Assert.Equal("OK revision=2", existing.Out.Trim());
    }

    [Fact]
    public async Task IfValue_IsCompareAndSetByValue()
    {
        await _cli.RunAsync("kv", "set", "k", "old");

        var mismatch = await _cli.RunAsync("kv", "set", "k", "new", "--if-value", "other");
        var match = await _cli.RunAsync("kv", "set", "k", "new", "--if-value", "old");

        Assert.Equal(ExitCodes.NegativeOutcome, mismatch.ExitCode);
        Assert.Equal(ExitCodes.Success, match.ExitCode);
        Assert.Equal("new", (await _cli.RunAsync("kv", "get", "k")).Out.Trim());
        Assert.Contains(_server.Handler.Received.OfType<SetRequest>(), r => r.CompareValue is { } v && Encoding.UTF8.GetString(v) == "old");
    }

    [Fact]
    public async Task IfRevision_IsCompareAndSetByRevision()
    {
        await _cli.RunAsync("kv", "set", "k", "v1");
        await _cli.RunAsync("kv", "set", "k", "v2");

        var stale = await _cli.RunAsync("kv", "set", "k", "v3", "--if-revision", "1", "--json");
        var current = await _cli.RunAsync("kv", "set", "k", "v3", "--if-revision", "2", "--json");

        Assert.Equal(ExitCodes.NegativeOutcome, stale.ExitCode);
        Assert.Equal("PreconditionFailed", stale.Status);
        Assert.Equal(2, stale.Json().GetProperty("revision").GetInt64());
        Assert.Equal(ExitCodes.Success, current.ExitCode);
        Assert.Equal(3, current.Json().GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task Exists_ExitsZeroOrOne_LikeTest()
    {
        await _cli.RunAsync("kv", "set", "k", "v");

        var yes = await _cli.RunAsync("kv", "exists", "k");
        var no = await _cli.RunAsync("kv", "exists", "nope", "--json");

        Assert.Equal(ExitCodes.Success, yes.ExitCode);
        Assert.Equal("exists \"k\" revision=1", yes.Out.Trim());
        Assert.Equal(ExitCodes.NegativeOutcome, no.ExitCode);
        Assert.Equal("NotFound", no.Status);
        Assert.False(no.Json().GetProperty("exists").GetBoolean());
    }

    [Fact]
    public async Task Delete_RemovesTheKey_AndASecondDeleteIsNotFound()
    {
        await _cli.RunAsync("kv", "set", "k", "v");

        var first = await _cli.RunAsync("kv", "del", "k", "--json");
        var second = await _cli.RunAsync("kv", "del", "k");

        Assert.Equal(ExitCodes.Success, first.ExitCode);
        Assert.True(first.Json().GetProperty("deleted").GetBoolean());
        Assert.Equal(ExitCodes.NegativeOutcome, second.ExitCode);
        Assert.Contains("not found: \"k\"", second.Error);
        Assert.Equal(ExitCodes.NegativeOutcome, (await _cli.RunAsync("kv", "get", "k")).ExitCode);
    }

    [Theory]
    [InlineData(new[] { "kv", "del", "k", "--prefix", "p" }, "give either a KEY or --prefix/--all, not both")]
    [InlineData(new[] { "kv", "delete", "k", "--all" }, "give either a KEY or --prefix/--all, not both")]
    [InlineData(new[] { "kv", "del", "--prefix", "p", "--all" }, "use either --prefix or --all, not both")]
    [InlineData(new[] { "kv", "del" }, "name a KEY to delete, or use --prefix P or --all")]
    [InlineData(new[] { "kv", "del", "--prefix", "" }, "--prefix needs a non-empty prefix; to delete every key, use --all")]
    public async Task Delete_OfAKeyAndAPrefix_OrOfNothing_IsAUsageError(string[] args, string message)
    {
        var run = await _cli.RunAsync(args);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error);
        Assert.Empty(_server.Handler.Received);
    }

    [Fact]
    public async Task Extend_SetsANewExpiry_OrIsNotFound()
    {
        await _cli.RunAsync("kv", "set", "k", "v");

        var extended = await _cli.RunAsync("kv", "extend", "k", "--ttl", "5m", "--json");
        var human = await _cli.RunAsync("kv", "extend", "k", "--ttl", "5m");
        var missing = await _cli.RunAsync("kv", "extend", "nope", "--ttl", "5m");

        Assert.Equal(ExitCodes.Success, extended.ExitCode);
        Assert.True(extended.Json().GetProperty("extended").GetBoolean());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, extended.Json().GetProperty("expiresAt").ValueKind);
        Assert.Equal(300_000, _server.Handler.Received.OfType<ExtendRequest>().First().TtlMs);
        Assert.Matches("^extended \"k\" revision=1 expires=\\d{4}-\\d\\d-\\d\\dT", human.Out.Trim());
        Assert.Equal(ExitCodes.NegativeOutcome, missing.ExitCode);
    }
}
