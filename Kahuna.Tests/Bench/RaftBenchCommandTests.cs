using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>`kahuna bench raft` end to end, briefly: three in-process nodes, real SQLite writes, each shell.</summary>
public class RaftBenchCommandTests
{
    [Theory]
    [InlineData("replica-actors")]
    [InlineData("node-pass")]
    public async Task MeasuresCommittedEntriesWithEitherShell(string shell)
    {
        var run = await new BenchCli().RunAsync("bench", "raft", "--shell", shell, "--groups", "2", "--duration", "1s", "--warmup", "500ms",
            "--in-flight", "8", "--recovery-entries", "0", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal(shell, json.GetProperty("shell").GetString());
        var row = Assert.Single(json.GetProperty("rows").EnumerateArray());
        Assert.Equal(2, row.GetProperty("groups").GetInt32());
        Assert.True(row.GetProperty("entriesPerSecond").GetDouble() > 0, run.ToString());
        Assert.Equal(0, row.GetProperty("failed").GetInt64());
        // Every committed entry went through the node's log writer: rows were written, so fsyncs carried events.
        Assert.True(row.GetProperty("eventsPerFsync").GetDouble() > 0, run.ToString());
    }

    [Fact]
    public async Task RefusesAnUnknownShell()
    {
        var run = await new BenchCli().RunAsync("bench", "raft", "--shell", "threads", "--groups", "1", "--recovery-entries", "0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--shell takes replica-actors or node-pass", run.Error);
    }
}
