using System.Text.Json;
using Kahuna.Node.Bench.Footprint;
using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>
/// <c>kahuna bench footprint</c>: one small run against a real node process (sane positive figures, no process or
/// data left behind, never a speed), plus the pieces it reads from the node and from /proc.
/// </summary>
[Collection("cluster")]
public sealed class FootprintBenchTests
{
    [Fact]
    public async Task SmallRun_MeasuresMemoryAndBothRecoveries_AndLeavesNothingBehind()
    {
        var run = await new BenchCli().RunAsync("bench", "footprint", "--keys", "2000", "--concurrency", "32", "--settle-window", "500ms",
            "--settle-limit", "5s", "--verify-sample", "64", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.True(json.GetProperty("status").GetString() == "Ok", run.ToString());
        foreach (var phase in new[] { json.GetProperty("idle"), json.GetProperty("loaded") })
        {
            Assert.True(phase.GetProperty("rssMiB").GetDouble() > 0, run.ToString());
            Assert.True(phase.GetProperty("peakMiB").GetDouble() >= phase.GetProperty("rssMiB").GetDouble());
            Assert.True(phase.GetProperty("anonMiB").GetDouble() > 0);
        }
        var load = json.GetProperty("load");
        Assert.Equal(2000, load.GetProperty("loaded").GetInt64());
        Assert.Equal(0, load.GetProperty("failed").GetInt64());

        var recoveries = json.GetProperty("recoveries").EnumerateArray().ToList();
        Assert.Equal(["sigterm", "sigkill"], recoveries.Select(r => r.GetProperty("stop").GetString()));
        Assert.Equal(0, recoveries[0].GetProperty("exitCode").GetInt32()); // SIGTERM is a clean stop
        Assert.Equal(JsonValueKind.Null, recoveries[1].GetProperty("exitCode").ValueKind);
        foreach (var r in recoveries)
        {
            Assert.True(r.GetProperty("readySeconds").GetDouble() > 0, run.ToString());
            Assert.True(r.GetProperty("servingSeconds").GetDouble() >= r.GetProperty("firstPartitionSeconds").GetDouble());
            Assert.True(r.GetProperty("logEntries").GetInt64() >= 2000, run.ToString());
            // The default checkpoint interval (10,000 entries) is above this run's 250 entries per partition: all replayed.
            Assert.True(r.GetProperty("entriesReplayed").GetInt64() >= 2000, run.ToString());
            Assert.Equal(64, r.GetProperty("sampleChecked").GetInt32());
            Assert.Equal(64, r.GetProperty("sampleFound").GetInt32());
            Assert.True(r.GetProperty("memory").GetProperty("rssMiB").GetDouble() > 0);
        }

        var pids = json.GetProperty("nodePids").EnumerateArray().Select(p => p.GetInt32()).ToList();
        Assert.Equal(3, pids.Count);
        var dataDirectory = json.GetProperty("dataDirectory").GetString()!;
        Assert.All(pids, pid => Assert.False(RunsIn(pid, dataDirectory), $"node pid {pid} still runs"));
        Assert.False(Directory.Exists(Path.GetDirectoryName(dataDirectory)), "the temporary data was deleted");
        Assert.Contains("[footprint] serving in every partition", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--recovery", "sometimes")]
    [InlineData("--keys", "0")]
    [InlineData("--persistent", "--ephemeral")]
    [InlineData("--config", "/no/such/file.conf")]
    public async Task BadFlags_AreAUsageError_NamingTheFlag(string flag, string value)
    {
        var run = await new BenchCli().RunAsync("bench", "footprint", flag, value);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(flag, run.Error, StringComparison.Ordinal);
        Assert.Contains("see 'kahuna bench footprint --help'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void RecoveryLine_OfTheReplicaActor_IsParsed()
    {
        var line = "[INFO][05/01/2025 10:00:00.000Z][Thread 0012][akka://kahuna/user/raft/p3] Replica p3/n1 recovered 412 events, " +
                   "9876 entries in 0.532s (18564 entries/s); log [120001..129876]";

        var recovery = ReplicaRecovery.TryParse(line);

        Assert.Equal(new ReplicaRecovery("p3", 9876, 0.532, 120001, 129876), recovery);
        Assert.Equal(120000, recovery!.FromSnapshot);
        Assert.Null(ReplicaRecovery.TryParse("node n1 ready: client=127.0.0.1:7070"));
    }

    [Fact]
    public void NodeConfig_LogsRecoveries_AppliesTheSnapshotOverride_ThenTheUsersFile()
    {
        var file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "kahuna.raft.snapshot-every-entries = 77");
            var config = Akka.Configuration.ConfigurationFactory.ParseString(
                FootprintRun.NodeConfig(new FootprintOptions { SnapshotEveryEntries = 5, ConfigFile = file }));

            Assert.Equal("INFO", config.GetString("akka.loglevel"));
            Assert.Equal(77, config.GetLong("kahuna.raft.snapshot-every-entries")); // the user's file wins
            Assert.Equal("1TiB", config.GetString("kahuna.raft.snapshot-every-bytes"));
            Assert.Equal(0.0, config.GetDouble("kahuna.raft.snapshot-growth-ratio"));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void MemoryReading_OfThisProcess_HasPositiveFigures()
    {
        var reading = MemoryReading.Read(Environment.ProcessId);

        Assert.NotNull(reading);
        Assert.True(reading.RssKiB > 0 && reading.HwmKiB >= reading.RssKiB && reading.AnonKiB > 0 && reading.Threads > 0, reading.ToString());
    }

    /// <summary>Whether <paramref name="pid"/> is (still) a process whose command line names our data directory (a reused pid is not).</summary>
    private static bool RunsIn(int pid, string dataDirectory)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Contains(dataDirectory, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }
}
