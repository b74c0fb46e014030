using Kahuna.Node.Cli;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Node.Cluster;
using Xunit;

namespace Kahuna.Tests.Node.Routing;

/// <summary>GetMany through real nodes: keys of many partitions in one request, answers back in the order asked.</summary>
public sealed class GetManyClusterTests(ScanClusterFixture fixture) : IClassFixture<ScanClusterFixture>
{
    private InProcessKahunaCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task KeysOfEveryPartition_AnswerInTheOrderAsked_MissingOnesIncluded()
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 60).Select(i => $"many/{i}").ToArray();
        var written = await Task.WhenAll(keys.Select(k => client.SetAsync(k, $"value of {k}")));
        var asked = keys.Reverse().Append("many/absent").Append(keys[3]).ToArray();

        var results = await client.GetManyAsync(asked);

        Assert.Equal(asked.Length, results.Count);
        for (var i = 0; i < keys.Length; i++)
        {
            Assert.True(results[i].Found, asked[i]);
            Assert.Equal($"value of {asked[i]}", results[i].ValueAsString());
            Assert.Equal(written[Array.IndexOf(keys, asked[i])].Revision, results[i].Revision);
        }
        Assert.False(results[^2].Found);
        Assert.Equal($"value of {keys[3]}", results[^1].ValueAsString());
    }

    [Fact]
    public async Task EphemeralKeys_AreApart_AndTooManyBytes_AreRefusedAsTooLarge()
    {
        await using var client = Cluster.Client();
        await client.SetAsync("many-eph/a", "in memory", durability: Durability.Ephemeral);
        var big = new byte[600 * 1024];
        foreach (var k in new[] { "many-big/1", "many-big/2", "many-big/3" })
            await client.SetAsync(k, big);

        var ephemeral = await client.GetManyAsync(["many-eph/a"], Durability.Ephemeral);
        var persistent = await client.GetManyAsync(["many-eph/a"]);
        var twoBig = await client.GetManyAsync(["many-big/1", "many-big/2"]);
        var error = await Assert.ThrowsAsync<KahunaException>(() => client.GetManyAsync(["many-big/1", "many-big/2", "many-big/3"]));

        Assert.Equal("in memory", ephemeral[0].ValueAsString());
        Assert.False(persistent[0].Found);
        Assert.All(twoBig, r => Assert.Equal(big.Length, r.Value!.Length));
        Assert.Equal(KahunaStatus.TooLarge, error.Status);
        Assert.Contains("fewer keys", error.Message);
    }

    [Fact]
    public async Task TheCli_PrintsTheFoundKeys_AndExitsNotFoundWhenOneIsMissing()
    {
        await using var client = Cluster.Client();
        await client.SetAsync("mget/a", "1");
        await client.SetAsync("mget/b", "2");
        var cli = CliRunner.For(Cluster.Endpoints);

        var all = await cli.RunAsync("kv", "mget", "mget/b", "mget/a");
        var some = await cli.RunAsync("kv", "mget", "mget/a", "mget/zz", "--json");

        Assert.Equal(ExitCodes.Success, all.ExitCode);
        Assert.Equal("mget/b\t2\nmget/a\t1", all.Out.Trim().Replace("\r\n", "\n"));
        Assert.Equal(ExitCodes.NegativeOutcome, some.ExitCode);
        var json = some.Json();
        Assert.Equal("NotFound", json.GetProperty("status").GetString());
        Assert.Equal(1, json.GetProperty("found").GetInt32());
        Assert.Equal([true, false], json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("found").GetBoolean()));
    }
}

/// <summary>SetMany through real nodes: writes of many partitions in one request, revisions back in the order given.</summary>
public sealed class SetManyClusterTests(ScanClusterFixture fixture) : IClassFixture<ScanClusterFixture>
{
    private InProcessKahunaCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task WritesOfEveryPartition_TakeEffect_AndTheirRevisionsComeBackInOrder()
    {
        await using var client = Cluster.Client();
        var items = Enumerable.Range(0, 40).Select(i => KeyValuePair.Create($"mset/{i}", $"value {i}")).ToArray();

        var revisions = await client.SetManyAsync(items, ttl: TimeSpan.FromHours(1));
        var read = await client.GetManyAsync(items.Select(i => i.Key).ToArray());

        Assert.Equal(items.Length, revisions.Count);
        for (var i = 0; i < items.Length; i++)
        {
            Assert.Equal(items[i].Value, read[i].ValueAsString());
            Assert.Equal(revisions[i], read[i].Revision);
            Assert.NotNull(read[i].ExpiresAt);
        }
    }

    [Fact]
    public async Task KeysWithOneHashTag_AreWrittenTogether_AtConsecutiveRevisions_AndEphemeralKeysStayApart()
    {
        await using var client = Cluster.Client();

        var revisions = await client.SetManyAsync(
            [KeyValuePair.Create("{acct9}:balance", "100"), KeyValuePair.Create("{acct9}:owner", "ada")]);
        await client.SetManyAsync([KeyValuePair.Create("mset-eph/a", "memory")], durability: Durability.Ephemeral);

        Assert.Equal(revisions[0] + 1, revisions[1]); // one command in one partition: nothing between the two
        Assert.Equal("memory", (await client.GetAsync("mset-eph/a", Durability.Ephemeral)).ValueAsString());
        Assert.False((await client.GetAsync("mset-eph/a")).Found);
    }

    [Fact]
    public async Task TheCli_WritesPairs_AndRefusesAKeyWithoutAValue()
    {
        var cli = CliRunner.For(Cluster.Endpoints);

        var written = await cli.RunAsync("kv", "mset", "mset-cli/a", "1", "mset-cli/b", "2", "--json");
        var odd = await cli.RunAsync("kv", "mset", "mset-cli/a", "1", "mset-cli/b");
        var read = await cli.RunAsync("kv", "mget", "mset-cli/a", "mset-cli/b");

        Assert.Equal(ExitCodes.Success, written.ExitCode);
        Assert.Equal(["mset-cli/a", "mset-cli/b"], written.Json().GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()));
        Assert.Equal(ExitCodes.UsageError, odd.ExitCode);
        Assert.Contains("give a value after every key", odd.Error);
        Assert.Equal("mset-cli/a\t1\nmset-cli/b\t2", read.Out.Trim().Replace("\r\n", "\n"));
    }
}
