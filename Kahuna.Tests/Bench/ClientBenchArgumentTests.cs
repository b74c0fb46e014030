using Kahuna.Node.Bench.Client;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>Parsing and validation of <c>kahuna bench set|get|mixed|lock|sequence</c> (nothing is started here).</summary>
public sealed class ClientBenchArgumentTests
{
    private readonly BenchCli _cli = new();

    [Fact]
    public void Defaults_MatchPeerbench_AndUseTheDefaultEndpoint()
    {
        var (options, problems) = _cli.Bind("bench", "set");
        Assert.Empty(problems);
        Assert.NotNull(options);
        Assert.Equal(BenchWorkload.Set, options.Workload);
        Assert.Equal(Durability.Persistent, options.Durability);
        Assert.Equal(["127.0.0.1:7070"], options.Endpoints);
        Assert.Equal(0, options.LocalNodes);
        Assert.Equal(64, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(20), options.Duration);
        Assert.Equal(TimeSpan.FromSeconds(5), options.Warmup);
        Assert.Equal(10_000, options.KeySpace);
        Assert.Equal("bench:", options.KeyPrefix);
        Assert.Equal(128, options.ValueSize);
        Assert.Equal(KeyDistribution.Uniform, options.KeyDistribution);
        Assert.Equal(TimeSpan.FromSeconds(10), options.Timeout);
        Assert.Equal(1, options.Connections);
        Assert.False(options.Json);
        Assert.Equal("kahuna-persistent", options.EffectiveLabel);
        Assert.False(options.Seeds); // set writes; only get and mixed seed
    }

    [Fact]
    public void EveryFlag_IsBound()
    {
        var (options, problems) = _cli.Bind("bench", "mixed", "--local", "3", "--partitions", "4", "--ephemeral", "--concurrency", "8",
            "--duration", "2s", "--warmup", "500ms", "--key-space", "100", "--key-prefix", "x/", "--value-size", "10", "--read-pct", "90",
            "--key-dist", "sequential", "--timeout", "3s", "--connections", "4", "--seed", "7", "--no-seed", "--json", "--csv", "out.csv", "--label", "L");
        Assert.Empty(problems);
        Assert.NotNull(options);
        Assert.Equal(BenchWorkload.Mixed, options.Workload);
        Assert.Equal(Durability.Ephemeral, options.Durability);
        Assert.Equal(3, options.LocalNodes);
        Assert.Equal(4, options.LocalPartitions);
        Assert.Empty(options.Endpoints);
        Assert.Equal(8, options.Concurrency);
        Assert.Equal(TimeSpan.FromSeconds(2), options.Duration);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.Warmup);
        Assert.Equal(100, options.KeySpace);
        Assert.Equal("x/", options.KeyPrefix);
        Assert.Equal(10, options.ValueSize);
        Assert.Equal(90, options.ReadPercent);
        Assert.Equal(KeyDistribution.Sequential, options.KeyDistribution);
        Assert.Equal(TimeSpan.FromSeconds(3), options.Timeout);
        Assert.Equal(4, options.Connections);
        Assert.Equal(7, options.RandomSeed);
        Assert.True(options.SkipSeeding);
        Assert.False(options.Seeds);
        Assert.True(options.Json);
        Assert.Equal("out.csv", options.CsvPath);
        Assert.Equal("L", options.EffectiveLabel);
    }

    [Fact]
    public void Endpoints_ComeFromTheFlag_ThenTheEnvironment()
    {
        _cli.Environment["KAHUNA_ENDPOINTS"] = "10.0.0.1:7070, 10.0.0.2:7070";
        Assert.Equal(["10.0.0.1:7070", "10.0.0.2:7070"], _cli.Bind("bench", "get").Options!.Endpoints);
        Assert.Equal(["127.0.0.1:9000"], _cli.Bind("bench", "get", "--endpoints", "127.0.0.1:9000").Options!.Endpoints);
    }

    [Fact]
    public void LockAndSequence_HaveTheirOwnDefaults()
    {
        var lockOptions = _cli.Bind("bench", "lock", "--lock-lease", "30s").Options!;
        Assert.Equal(BenchWorkload.Lock, lockOptions.Workload);
        Assert.Equal(TimeSpan.FromSeconds(30), lockOptions.LockLease);
        var sequence = _cli.Bind("bench", "sequence", "--persistent").Options!;
        Assert.Equal(BenchWorkload.Sequence, sequence.Workload);
        Assert.Equal(Durability.Persistent, sequence.Durability);
        Assert.Equal(10_000, sequence.KeySpace); // not offered, so the default stands
        Assert.Equal(1, sequence.SequenceCount);
        Assert.Equal(100, _cli.Bind("bench", "sequence", "--count", "100").Options!.SequenceCount);
    }

    [Theory]
    [InlineData("--endpoints and --local", "set", "--endpoints", "127.0.0.1:7070", "--local", "3")]
    [InlineData("--local: at least 1", "set", "--local", "0")]
    [InlineData("--local: between 1 and 7", "set", "--local", "9")]
    [InlineData("choose one", "get", "--persistent", "--ephemeral")]
    [InlineData("sequences are always persistent", "sequence", "--ephemeral")]
    [InlineData("needs a unit", "set", "--duration", "20")]
    [InlineData("needs a unit", "set", "--warmup", "5")]
    [InlineData("--duration: at least 1s", "set", "--duration", "200ms")]
    [InlineData("--read-pct: 0 to 100", "mixed", "--read-pct", "101")]
    [InlineData("neither uniform nor sequential", "get", "--key-dist", "zipf")]
    [InlineData("--count: 1 to 1000000", "sequence", "--count", "0")]
    [InlineData("--concurrency", "set", "--concurrency", "0")]
    [InlineData("--key-space", "set", "--key-space", "0")]
    [InlineData("--value-size", "set", "--value-size", "2000000")]
    [InlineData("--connections", "set", "--connections", "65")]
    [InlineData("--timeout: 10ms to 10m", "set", "--timeout", "1ms")]
    [InlineData("--lock-lease", "lock", "--lock-lease", "2h")]
    [InlineData("--endpoints", "set", "--endpoints", "no-port-here")]
    [InlineData("--partitions: only with --local", "set", "--partitions", "4")]
    public async Task BadArguments_AreUsageErrors_NamingTheFlag(string expected, params string[] args)
    {
        var (options, problems) = _cli.Bind(["bench", .. args]);
        Assert.Null(options);
        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));

        var run = await _cli.RunAsync(["bench", .. args]);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(expected, run.Error, StringComparison.Ordinal);
        Assert.Equal("", run.Out);
    }

    [Theory]
    [InlineData("sequence", "--key-space")]
    [InlineData("sequence", "--value-size")]
    [InlineData("set", "--lock-lease")]
    [InlineData("set", "--read-pct")]
    [InlineData("lock", "--no-seed")]
    public async Task FlagsThatMeanNothingForAWorkload_AreHiddenFromItsHelp(string workload, string flag)
    {
        var help = await _cli.RunAsync("bench", workload, "--help");
        Assert.Equal(0, help.ExitCode);
        Assert.DoesNotContain(flag, help.Out, StringComparison.Ordinal);
        Assert.Contains("--concurrency", help.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void OneSetOfFlags_WorksForEveryWorkload_SoScriptsCanLoop()
    {
        foreach (var workload in new[] { "set", "get", "mixed", "lock", "sequence" })
        {
            var (options, problems) = _cli.Bind("bench", workload, "--key-space", "100", "--value-size", "64", "--read-pct", "90",
                "--lock-lease", "5s", "--key-dist", "sequential", "--no-seed");
            Assert.True(options is not null, $"{workload}: {string.Join("; ", problems)}");
        }
    }

    [Fact]
    public async Task UsageError_WithJson_PrintsOneObject()
    {
        var run = await _cli.RunAsync("bench", "set", "--json", "--concurrency", "0");
        Assert.Equal(2, run.ExitCode);
        Assert.Equal("UsageError", run.Json().GetProperty("status").GetString());
    }

    [Fact]
    public async Task UnreachableCluster_IsAnError_NotAHang()
    {
        // Port 1 on loopback refuses connections at once; the client gives up at --timeout.
        var run = await _cli.RunAsync("bench", "set", "--endpoints", "127.0.0.1:1", "--timeout", "300ms", "--duration", "1s", "--warmup", "0", "--json");
        Assert.Equal(3, run.ExitCode);
        Assert.Contains("cannot reach the cluster", run.Error, StringComparison.Ordinal);
        Assert.Equal("Error", run.Json().GetProperty("status").GetString());
    }

    [Fact]
    public void WatchdogLimit_CoversThePhasesWithSlack()
    {
        var plain = new ClientBenchOptions { Workload = BenchWorkload.Set, Endpoints = ["a:1"], Duration = TimeSpan.FromSeconds(10), Warmup = TimeSpan.FromSeconds(3) };
        Assert.Equal(TimeSpan.FromSeconds(73), plain.WatchdogLimit);
        var seededLocal = plain with { Workload = BenchWorkload.Get, LocalNodes = 3 };
        Assert.Equal(TimeSpan.FromSeconds(73) + ClientBenchOptions.SeedTimeLimit + ClientBenchOptions.LocalStartTimeLimit, seededLocal.WatchdogLimit);
    }
}
