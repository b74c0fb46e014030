using Kahuna.Node.Cli;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Node.Cluster;
using Xunit;

namespace Kahuna.Tests.Node.Routing;

/// <summary>One in-process cluster of three nodes and eight partitions for the scan tests.</summary>
public sealed class ScanClusterFixture : IAsyncLifetime
{
    internal InProcessKahunaCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() => Cluster = await InProcessKahunaCluster.StartAsync(partitions: 8);

    public async Task DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>Prefix scans through real nodes: fanned out to every partition, merged, paged, from the client and the CLI.</summary>
public sealed class ScanClusterTests(ScanClusterFixture fixture) : IClassFixture<ScanClusterFixture>
{
    private InProcessKahunaCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task EveryKeyUnderAPrefix_ComesBackOnceInOrder_AcrossPartitionsAndPages()
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 150).Select(i => $"users/{i}").ToArray();
        await Task.WhenAll(keys.Select(k => client.SetAsync(k, $"value of {k}")));
        await Task.WhenAll(new[] { "users", "usersx/1", "user/1", "orders/1" }.Select(k => client.SetAsync(k, "noise")));

        var pages = new List<ScanResult>();
        string? after = null;
        do
        {
            var page = await client.ScanAsync("users/", after, limit: 7);
            pages.Add(page);
            after = page.NextStartAfter;
        }
        while (after is not null && pages.Count < 100);

        var expected = keys.OrderBy(k => k, StringComparer.Ordinal).ToArray();
        Assert.Equal(expected, pages.SelectMany(p => p.Entries).Select(e => e.Key));
        Assert.All(pages, p => Assert.InRange(p.Entries.Count, 0, 7));
        Assert.Null(pages[^1].NextStartAfter);
        Assert.All(pages.SelectMany(p => p.Entries), e => Assert.Equal($"value of {e.Key}", e.ValueAsString()));
        var streamed = new List<string>();
        await foreach (var entry in client.ScanAllAsync("users/", pageSize: 1000))
            streamed.Add(entry.Key);
        Assert.Equal(expected, streamed);
    }

    [Fact]
    public async Task DeletedAndExpiredKeys_AreLeftOut_AndTheEphemeralKeyspaceIsApart()
    {
        await using var client = Cluster.Client();
        foreach (var k in new[] { "life/a", "life/b", "life/c", "life/d" })
            await client.SetAsync(k, "v");
        await client.DeleteAsync("life/b");
        await client.SetAsync("life/e", "short", ttl: TimeSpan.FromMilliseconds(200));
        await client.SetAsync("life/eph", "memory only", durability: Durability.Ephemeral);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((await client.ExistsAsync("life/e")).Exists)
        {
            Assert.True(DateTime.UtcNow < deadline, "a key with a 200 ms TTL still existed after 10 s");
            await Task.Delay(50);
        }
        var persistent = await client.ScanAsync("life/");
        var ephemeral = await client.ScanAsync("life/", durability: Durability.Ephemeral);

        Assert.Equal(["life/a", "life/c", "life/d"], persistent.Entries.Select(e => e.Key));
        Assert.Equal(["life/eph"], ephemeral.Entries.Select(e => e.Key));
        Assert.Equal("memory only", ephemeral.Entries[0].ValueAsString());
    }

    [Fact]
    public async Task LargeValues_CutPagesBySize_AndAPrefixWithAHashTagStillFindsItsKeys()
    {
        await using var client = Cluster.Client();
        var value = new byte[300 * 1024];
        foreach (var k in new[] { "{big}:1", "{big}:2", "{big}:3", "{big}:4" })
            await client.SetAsync(k, value);

        var first = await client.ScanAsync("{big}:", limit: 100);
        var all = new List<ScanEntry>();
        await foreach (var entry in client.ScanAllAsync("{big}:"))
            all.Add(entry);

        Assert.Equal(["{big}:1", "{big}:2"], first.Entries.Select(e => e.Key)); // 600 KiB reached the 512 KiB page budget
        Assert.Equal("{big}:2", first.NextStartAfter);
        Assert.Equal(["{big}:1", "{big}:2", "{big}:3", "{big}:4"], all.Select(e => e.Key));
        Assert.All(all, e => Assert.Equal(value.Length, e.Value.Length));

        // Without the values the same keys fit in one page, with their revisions.
        var keys = await client.ScanKeysAsync("{big}:", limit: 100);
        Assert.Equal(["{big}:1", "{big}:2", "{big}:3", "{big}:4"], keys.Entries.Select(e => e.Key));
        Assert.Null(keys.NextStartAfter);
        Assert.All(keys.Entries, e => Assert.Empty(e.Value));
        Assert.Equal(all.Select(e => e.Revision), keys.Entries.Select(e => e.Revision));
    }

    [Fact]
    public async Task ABadPageSize_IsRefusedWithAClearStatus()
    {
        await using var client = Cluster.Client();

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.ScanAsync("p", limit: ProtocolLimits.MaxScanLimit + 1));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
        Assert.Contains("Limit", error.Message);
    }

    [Fact]
    public async Task TheCli_ListsKeysWithValues_StopsAtALimit_AndResumes()
    {
        await using var client = Cluster.Client();
        foreach (var k in new[] { "cli/a", "cli/b", "cli/c" })
            await client.SetAsync(k, $"v-{k}");
        var cli = CliRunner.For(Cluster.Endpoints);

        var all = await cli.RunAsync("kv", "scan", "cli/");
        var limited = await cli.RunAsync("kv", "scan", "cli/", "--limit", "2", "--json");
        var resumed = await cli.RunAsync("kv", "scan", "cli/", "--start-after", "cli/b", "--keys-only");
        var none = await cli.RunAsync("kv", "scan", "nothing-here/");

        Assert.Equal(ExitCodes.Success, all.ExitCode);
        Assert.Equal("cli/a\tv-cli/a\ncli/b\tv-cli/b\ncli/c\tv-cli/c", all.Out.Trim().Replace("\r\n", "\n"));
        var json = limited.Json();
        Assert.Equal(2, json.GetProperty("count").GetInt32());
        Assert.Equal("cli/b", json.GetProperty("nextStartAfter").GetString());
        Assert.Equal(["cli/a", "cli/b"], json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("key").GetString()));
        Assert.Equal("cli/c", resumed.Out.Trim());
        Assert.Equal(ExitCodes.Success, none.ExitCode);
        Assert.Equal("", none.Out);
        Assert.Contains("no keys start with", none.Error);
    }

    [Fact]
    public async Task TheCli_ReadsPageAfterPage_UntilTheScanIsComplete()
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 1050).Select(i => $"cli-many/{i:D4}").ToArray();
        foreach (var chunk in keys.Chunk(525))
            await client.SetManyAsync(chunk.Select(k => KeyValuePair.Create(k, "v")));
        var cli = CliRunner.For(Cluster.Endpoints);

        var listed = await cli.RunAsync("kv", "scan", "cli-many/", "--keys-only");

        Assert.Equal(ExitCodes.Success, listed.ExitCode);
        Assert.Equal(keys, listed.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }
}
