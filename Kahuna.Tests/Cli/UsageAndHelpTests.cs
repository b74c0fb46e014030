using System.CommandLine;
using Kahuna.Node.Cli;
using Kahuna.Tests.Cli.Support;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>Command-line mistakes exit 2 without contacting anything; --help documents commands and exit codes.</summary>
public sealed class UsageAndHelpTests
{
    // Nothing listens here: a usage error must be reported before any connection is tried.
    private readonly CliRunner _cli = CliRunner.For("127.0.0.1:1");

    [Theory]
    [InlineData("nonsense")]
    [InlineData("kv")]
    [InlineData("kv", "sett", "k", "v")]
    [InlineData("kv", "set", "k")]
    [InlineData("kv", "set", "k", "v", "--value-base64", "dg==")]
    [InlineData("kv", "set", "k", "v", "--if-exists", "--if-not-exists")]
    [InlineData("kv", "set", "k", "v", "--if-value", "a", "--if-revision", "2")]
    [InlineData("kv", "set", "k", "v", "--if-revision", "0")]
    [InlineData("kv", "set", "k", "v", "--if-revision", "abc")]
    [InlineData("kv", "set", "k", "v", "--ttl", "5x")]
    [InlineData("kv", "set", "k", "v", "--nope")]
    [InlineData("kv", "get")]
    [InlineData("kv", "get", "k", "--revision", "0")]
    [InlineData("kv", "extend", "k")]
    [InlineData("lock", "acquire", "jobs/1")]
    [InlineData("lock", "acquire", "jobs/1", "--lease", "10s", "--owner", "xyz")]
    [InlineData("lock", "acquire", "jobs/1", "--lease", "10s", "--owner", "abc")]
    [InlineData("lock", "acquire", "jobs/1", "--lease", "10s", "--wait", "later")]
    [InlineData("lock", "release", "jobs/1")]
    [InlineData("lock", "extend", "jobs/1", "--owner", "ab")]
    [InlineData("seq", "next")]
    [InlineData("seq", "next", "ids", "--count", "0")]
    [InlineData("seq", "next", "ids", "--ephemeral")]
    [InlineData("kv", "get", "k", "--timeout", "0")]
    [InlineData("kv", "get", "k", "--endpoints", "no-port-here")]
    [InlineData("kv", "set", "k", "--value-base64", "!!!")]
    [InlineData("dev", "--port", "65500")]
    [InlineData("dev", "--config", "/no/such/file.conf")]
    [InlineData("start", "--port", "seven")]
    public async Task BadCommandLine_ExitsTwo_AndSaysWhy(params string[] args)
    {
        var run = await _cli.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.UsageError, run.ToString());
        Assert.Contains("error:", run.Error);
        Assert.Equal("", run.Out);
    }

    [Fact]
    public async Task BadCommandLine_InJsonMode_PrintsOneObjectWithUsageError()
    {
        var run = await _cli.RunAsync("kv", "set", "k", "v", "--ttl", "soon", "--json");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Equal("UsageError", run.Status);
        Assert.Contains("--ttl", run.Json().GetProperty("message").GetString());
    }

    [Fact]
    public async Task BadEndpointsVariable_IsAUsageError()
    {
        var cli = new CliRunner();
        cli.Environment["KAHUNA_ENDPOINTS"] = "host-without-port";

        var run = await cli.RunAsync("kv", "get", "k");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("--endpoints", run.Error);
    }

    [Fact]
    public async Task RootHelp_ListsEveryCommand_TheExitCodes_AndTheEnvironment()
    {
        var run = await _cli.RunAsync("--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var command in new[] { "start", "dev", "kv", "lock", "seq" })
            Assert.Contains($"  {command} ", run.Out);
        Assert.Contains("Exit codes:", run.Out);
        foreach (var line in new[] { "  0  success", "  1  a normal negative answer", "  2  usage error", "  3  error" })
            Assert.Contains(line, run.Out);
        Assert.Contains("KAHUNA_ENDPOINTS", run.Out);
    }

    [Theory]
    [InlineData(new[] { "kv", "--help" }, new[] { "set", "get", "del", "mdel", "exists", "extend" })]
    [InlineData(new[] { "kv", "del", "--help" }, new[] { "--prefix", "--all", "--ephemeral", "--json" })]
    [InlineData(new[] { "lock", "--help" }, new[] { "acquire", "extend", "release", "get" })]
    [InlineData(new[] { "seq", "--help" }, new[] { "next" })]
    [InlineData(new[] { "kv", "set", "--help" }, new[] { "--if-not-exists", "--if-exists", "--if-value", "--if-revision", "--ttl", "--value-file", "--value-base64", "--endpoints", "--ephemeral", "--json", "--timeout" })]
    [InlineData(new[] { "lock", "acquire", "--help" }, new[] { "--lease", "--owner", "--wait", "--ephemeral", "--json" })]
    [InlineData(new[] { "start", "--help" }, new[] { "--node-id", "--host", "--port", "--cluster-port", "--data", "--seeds", "--cluster-nodes", "--partitions", "--replication-factor", "--config", "KAHUNA_PORT" })]
    [InlineData(new[] { "dev", "--help" }, new[] { "--data", "--port", "--partitions", "--config" })]
    public async Task CommandHelp_ListsItsSubcommandsAndFlags_AndTheExitCodes(string[] args, string[] expected)
    {
        var run = await _cli.RunAsync(args);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        foreach (var text in expected)
            Assert.Contains(text, run.Out);
        Assert.Contains("Exit codes:", run.Out);
    }

    [Fact]
    public void Build_AddsExtraCommands_AtTheRoot()
    {
        var context = new CliContext { Out = TextWriter.Null, Error = TextWriter.Null };

        var root = KahunaCli.Build(context, new Command("bench", "load generator"));

        Assert.Contains(root.Subcommands, c => c.Name == "bench");
        Assert.Equal(["start", "dev", "kv", "lock", "seq", "cluster", "bench"], root.Subcommands.Select(c => c.Name));
    }

    [Fact]
    public async Task ExtraCommand_WritesToTheInjectedOutput()
    {
        var bench = new Command("bench");
        bench.SetAction(parseResult =>
        {
            parseResult.InvocationConfiguration.Output.WriteLine("bench ran");
            return 0;
        });
        var output = new StringWriter();

        int exit = await KahunaCli.RunAsync(["bench"], new CliContext { Out = output, Error = TextWriter.Null }, CancellationToken.None, bench);

        Assert.Equal(0, exit);
        Assert.Equal("bench ran", output.ToString().Trim());
    }
}
