using Xunit;

namespace Kahuna.Tests.Bench;

/// <summary>
/// Each workload for two seconds against a 3-node cluster the command starts itself. Asserts the counts are
/// sane (operations happened, nothing failed, the temporary data is gone), never a speed.
/// </summary>
[Collection("cluster")]
public sealed class ClientBenchEndToEndTests
{
    [Theory]
    [InlineData("set", "--persistent")]
    [InlineData("get", "--ephemeral")]
    [InlineData("mixed", "--persistent")]
    [InlineData("lock", "--persistent")]
    [InlineData("sequence", "--persistent")]
    public async Task Workload_AgainstALocalCluster_MeasuresOperations_WithoutErrors(string workload, string durability)
    {
        // A small key space keeps the seeding of get and mixed short (sequence accepts and ignores it).
        var run = await new BenchCli().RunAsync("bench", workload, durability, "--local", "3", "--duration", "2s", "--warmup", "1s",
            "--concurrency", "8", "--key-space", "500", "--json");

        Assert.True(run.ExitCode == 0, run.ToString());
        var json = run.Json();
        Assert.Equal("Ok", json.GetProperty("status").GetString());
        Assert.Equal(workload, json.GetProperty("workload").GetString());
        Assert.Equal(durability.TrimStart('-'), json.GetProperty("durability").GetString());
        var operations = json.GetProperty("operations").EnumerateArray().ToList();
        Assert.NotEmpty(operations);
        foreach (var op in operations)
        {
            Assert.True(op.GetProperty("count").GetInt64() > 0, run.ToString());
            Assert.Equal(0, op.GetProperty("errors").GetInt64());
            Assert.Equal(0, op.GetProperty("timeouts").GetInt64());
            Assert.True(op.GetProperty("p50Ms").GetDouble() > 0);
            Assert.True(op.GetProperty("p99Ms").GetDouble() >= op.GetProperty("p50Ms").GetDouble());
            if (workload is "get" or "mixed" && op.GetProperty("op").GetString() == "get")
                Assert.Equal(0, op.GetProperty("misses").GetInt64()); // every key was written before the warm-up
        }
        Assert.Equal(0, json.GetProperty("sequenceViolations").GetInt64());
        Assert.Empty(json.GetProperty("errors").EnumerateObject());
        Assert.Contains("[bench] measure", run.Error, StringComparison.Ordinal); // the live line
        Assert.False(Directory.Exists(json.GetProperty("localDataDirectory").GetString()), "the temporary data was deleted");
    }
}
