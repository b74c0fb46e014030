using System.Text.RegularExpressions;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Raft.Core;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>The README's C# example compiles (it is this file) and runs against a live cluster; a drift fails the test.</summary>
[Collection("cluster")]
public sealed class ReadmeExampleTests
{
    // The body of Example below, as it appears in the README (only the endpoint list differs).
    private static async Task<List<string>> Example(string endpoints)
    {
        var lines = new List<string>();
        var Console = new { WriteLine = (Action<string>)lines.Add };
        // README:BEGIN
        await using var client = new KahunaClient("127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072".Replace("127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072", endpoints));

        var set = await client.SetAsync("config/feature-x", "on", ttl: TimeSpan.FromMinutes(10));
        var got = await client.GetAsync("config/feature-x");
        Console.WriteLine($"{got.ValueAsString()} at revision {got.Revision}");

        await using (var job = await client.AcquireLockAsync("jobs/nightly", TimeSpan.FromSeconds(30)))
            if (job.IsAcquired) Console.WriteLine($"running with fencing token {job.FencingToken}");

        var ids = await client.NextSequenceAsync("order-ids", count: 100);
        Console.WriteLine($"order ids {ids.Start}..{ids.End - 1}");
        // README:END
        _ = set;
        return lines;
    }

    [Fact]
    public void ReadmeBlock_IsTheTestedExample()
    {
        var root = RaftCorePurityTests.RepositoryRoot();
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var block = Regex.Match(readme, "```csharp\n(.*?)```", RegexOptions.Singleline).Groups[1].Value;
        var source = File.ReadAllText(Path.Combine(root, "Kahuna.Tests", "Node", "Cluster", "ReadmeExampleTests.cs"));
        var tested = Regex.Match(source, "// README:BEGIN\n(.*?)// README:END", RegexOptions.Singleline).Groups[1].Value
            .Replace(".Replace(\"127.0.0.1:7070,127.0.0.1:7071,127.0.0.1:7072\", endpoints)", "");
        static string Normalize(string s) => Regex.Replace(s, @"\s+", " ").Trim();
        Assert.Equal(Normalize(block), Normalize(tested));
    }

    [Fact]
    public async Task ReadmeExample_RunsAgainstALiveCluster()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync();
        var lines = await Example(cluster.Endpoints);
        Assert.Equal(["on at revision 1", "running with fencing token 1", "order ids 1..100"], lines);
    }
}
