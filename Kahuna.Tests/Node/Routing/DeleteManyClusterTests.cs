using Kahuna.Node.Cli;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Node.Cluster;
using Xunit;

namespace Kahuna.Tests.Node.Routing;

/// <summary>
/// DeleteMany and delete-by-prefix through real nodes: keys of many partitions in one request, revisions back in the
/// order asked, a retry answered from each partition's memory, prefixes of more keys than a page. And compare-and-delete.
/// </summary>
public sealed class DeleteManyClusterTests(ScanClusterFixture fixture) : IClassFixture<ScanClusterFixture>
{
    private InProcessKahunaCluster Cluster => fixture.Cluster;

    [Theory]
    [InlineData(Durability.Persistent)]
    [InlineData(Durability.Ephemeral)]
    public async Task KeysOfEveryPartition_AreDeleted_AndAbsentOrRepeatedKeysAnswerZero(Durability durability)
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 40).Select(i => $"mdel-{durability}/{i}").ToArray();
        await client.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, "v")), durability: durability);
        var asked = keys.Reverse().Append($"mdel-{durability}/absent").Append(keys[3]).ToArray();

        var result = await client.DeleteManyAsync(asked, durability);
        var read = await client.GetManyAsync(keys, durability);

        Assert.Equal(keys.Length, result.Deleted);
        Assert.Equal(asked.Length, result.Revisions.Count);
        Assert.All(result.Revisions.Take(keys.Length), revision => Assert.True(revision > 0));
        Assert.Equal([0L, 0L], result.Revisions.Skip(keys.Length)); // the absent key, and keys[3] listed a second time
        Assert.All(read, r => Assert.False(r.Found));
    }

    [Fact]
    public async Task EphemeralDeletes_LeaveThePersistentKeyspaceAlone()
    {
        await using var client = Cluster.Client();
        await client.SetAsync("mdel-apart/a", "kept");
        await client.SetAsync("mdel-apart/a", "memory", durability: Durability.Ephemeral);

        var result = await client.DeleteManyAsync(["mdel-apart/a"], Durability.Ephemeral);

        Assert.Equal(1, result.Deleted);
        Assert.Equal("kept", (await client.GetAsync("mdel-apart/a")).ValueAsString());
    }

    [Theory]
    [InlineData(Durability.Persistent)]
    [InlineData(Durability.Ephemeral)]
    public async Task ARetryWithTheSameOperationId_GetsTheFirstAnswer_AndDoesNotDeleteKeysWrittenSince(Durability durability)
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 12).Select(i => $"mdel-retry-{durability}/{i}").ToArray();
        await client.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, "first")), durability: durability);
        var request = new DeleteManyRequest { OperationId = OperationId.Create(Guid.NewGuid(), 1), Keys = keys, Durability = durability };

        var first = (DeleteManyResponse)await client.ExecuteAsync(request, CancellationToken.None);
        await client.SetManyAsync(keys.Select(k => KeyValuePair.Create(k, "again")), durability: durability);
        var retry = (DeleteManyResponse)await client.ExecuteAsync(request, CancellationToken.None);
        var read = await client.GetManyAsync(keys, durability);

        Assert.All(first.Revisions, revision => Assert.True(revision > 0));
        Assert.Equal(first.Revisions, retry.Revisions);
        Assert.All(read, r => Assert.Equal("again", r.ValueAsString()));
    }

    [Fact]
    public async Task DeleteByPrefix_DeletesEveryKeyAcrossPages_AndLeavesKeysOutsideThePrefix()
    {
        await using var client = Cluster.Client();
        var keys = Enumerable.Range(0, 1050).Select(i => $"dbp/{i:D4}").ToArray();
        foreach (var chunk in keys.Chunk(525))
            await client.SetManyAsync(chunk.Select(k => KeyValuePair.Create(k, "v")));
        var outside = new[] { "dbp", "dbpx/1", "db/1", "x/dbp/1" };
        await client.SetManyAsync(outside.Select(k => KeyValuePair.Create(k, "stays")));

        var deleted = await client.DeleteByPrefixAsync("dbp/");
        var again = await client.DeleteByPrefixAsync("dbp/");
        var left = await client.ScanAsync("dbp/");
        var kept = await client.GetManyAsync(outside);

        Assert.Equal(keys.Length, deleted);
        Assert.Equal(0, again);
        Assert.Empty(left.Entries);
        Assert.All(kept, r => Assert.Equal("stays", r.ValueAsString()));
    }

    [Fact]
    public async Task DeleteByPrefix_SplitsAPageWhoseKeysExceedOneBatch_AndWorksOnTheEphemeralKeyspace()
    {
        await using var client = Cluster.Client();
        // 100 keys of about 3 KB: one scan page, but more key bytes than one DeleteMany may carry.
        var longKeys = Enumerable.Range(0, 100).Select(i => $"{{long}}:{i:D3}{new string('k', 3000)}").ToArray();
        foreach (var chunk in longKeys.Chunk(50))
            await client.SetManyAsync(chunk.Select(k => KeyValuePair.Create(k, "v")));
        await client.SetManyAsync([KeyValuePair.Create("dbp-eph/a", "m"), KeyValuePair.Create("dbp-eph/b", "m")], durability: Durability.Ephemeral);
        await client.SetAsync("dbp-eph/a", "persistent");

        var deletedLong = await client.DeleteByPrefixAsync("{long}:");
        var deletedEphemeral = await client.DeleteByPrefixAsync("dbp-eph/", Durability.Ephemeral);

        Assert.Equal(longKeys.Length, deletedLong);
        Assert.Empty((await client.ScanAsync("{long}:")).Entries);
        Assert.Equal(2, deletedEphemeral);
        Assert.Equal("persistent", (await client.GetAsync("dbp-eph/a")).ValueAsString());
    }

    [Fact]
    public async Task DeleteByPrefix_RefusesAnEmptyPrefix()
    {
        await using var client = Cluster.Client();

        var error = await Assert.ThrowsAsync<KahunaException>(() => client.DeleteByPrefixAsync(""));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
        Assert.Contains("empty prefix would delete every key", error.Message);
    }

    [Fact]
    public async Task TheCli_DeletesSeveralKeys_ThenAPrefix_ThenEveryEphemeralKey()
    {
        await using var client = Cluster.Client();
        await client.SetManyAsync([KeyValuePair.Create("mdel-cli/a", "1"), KeyValuePair.Create("mdel-cli/b", "2")]);
        await client.SetManyAsync(Enumerable.Range(0, 30).Select(i => KeyValuePair.Create($"del-cli/{i}", "v")));
        await client.SetManyAsync(Enumerable.Range(0, 5).Select(i => KeyValuePair.Create($"all-cli/{i}", "v")), durability: Durability.Ephemeral);
        var cli = CliRunner.For(Cluster.Endpoints);

        var some = await cli.RunAsync("kv", "mdel", "mdel-cli/a", "mdel-cli/zz");
        var json = await cli.RunAsync("kv", "mdel", "mdel-cli/b", "--json");
        var prefix = await cli.RunAsync("kv", "delete", "--prefix", "del-cli/");
        var none = await cli.RunAsync("kv", "del", "--prefix", "del-cli/", "--json");
        var all = await cli.RunAsync("kv", "del", "--all", "--ephemeral", "--json");

        Assert.Equal(ExitCodes.NegativeOutcome, some.ExitCode);
        var lines = some.Out.Trim().Replace("\r\n", "\n").Split('\n');
        Assert.Equal("deleted 1 of 2 keys", lines[0]);
        Assert.StartsWith("mdel-cli/a\tdeleted revision=", lines[1]);
        Assert.Equal("mdel-cli/zz\tabsent", lines[2]);
        Assert.Contains("absent: \"mdel-cli/zz\"", some.Error);
        Assert.Equal(ExitCodes.Success, json.ExitCode);
        Assert.Equal(1, json.Json().GetProperty("deleted").GetInt32());
        Assert.True(json.Json().GetProperty("items")[0].GetProperty("deleted").GetBoolean());
        Assert.Equal(ExitCodes.Success, prefix.ExitCode);
        Assert.Equal("deleted 30 keys under \"del-cli/\"", prefix.Out.Trim());
        Assert.Equal(ExitCodes.Success, none.ExitCode); // nothing left to delete is not an error
        Assert.Equal("del-cli/", none.Json().GetProperty("prefix").GetString());
        Assert.Equal(0, none.Json().GetProperty("deleted").GetInt64());
        Assert.Equal(ExitCodes.Success, all.ExitCode);
        Assert.Equal("", all.Json().GetProperty("prefix").GetString());
        Assert.True(all.Json().GetProperty("deleted").GetInt64() >= 5); // other tests of this class may leave ephemeral keys
        Assert.Empty((await client.ScanAsync("", durability: Durability.Ephemeral)).Entries);
        Assert.Empty((await client.ScanAsync("del-cli/")).Entries);
    }

    [Theory]
    [InlineData(Durability.Persistent)]
    [InlineData(Durability.Ephemeral)]
    public async Task CompareAndDelete_DeletesOnlyAKeyThatStillHoldsWhatWasRead(Durability durability)
    {
        await using var client = Cluster.Client();
        var key = $"cad/{durability}";
        var first = await client.SetAsync(key, "mine", durability: durability);
        var changed = await client.SetAsync(key, "theirs", durability: durability);

        var staleRevision = await client.CompareRevisionAndDeleteAsync(key, first.Revision, durability);
        var staleValue = await client.CompareValueAndDeleteAsync(key, "mine", durability);
        Assert.Equal((false, changed.Revision), (staleRevision.Deleted, staleRevision.Revision));
        Assert.Equal((false, changed.Revision), (staleValue.Deleted, staleValue.Revision));
        Assert.Equal("theirs", (await client.GetAsync(key, durability)).ValueAsString());

        var deleted = await client.CompareRevisionAndDeleteAsync(key, changed.Revision, durability);
        Assert.True(deleted.Deleted);
        Assert.True(deleted.Revision > changed.Revision);
        Assert.False((await client.GetAsync(key, durability)).Found);
        Assert.Equal((false, 0L), await client.CompareValueAndDeleteAsync(key, "theirs", durability) is var gone ? (gone.Deleted, gone.Revision) : default);
    }

    [Fact]
    public async Task TheCli_DeletesAKey_OnlyIfItStillHoldsTheExpectedValueOrRevision()
    {
        await using var client = Cluster.Client();
        var set = await client.SetAsync("cad-cli/k", "v1");
        var cli = CliRunner.For(Cluster.Endpoints);

        var wrong = await cli.RunAsync("kv", "del", "cad-cli/k", "--if-revision", (set.Revision + 100).ToString());
        var wrongValue = await cli.RunAsync("kv", "del", "cad-cli/k", "--if-value", "v0", "--json");
        var right = await cli.RunAsync("kv", "del", "cad-cli/k", "--if-value", "v1");
        var both = await cli.RunAsync("kv", "del", "cad-cli/k", "--if-value", "v1", "--if-revision", "1");
        var withPrefix = await cli.RunAsync("kv", "del", "--prefix", "cad-cli/", "--if-revision", "1");

        Assert.Equal(ExitCodes.NegativeOutcome, wrong.ExitCode);
        Assert.Contains($"precondition failed: \"cad-cli/k\" was not deleted (current revision={set.Revision})", wrong.Error);
        Assert.Equal(ExitCodes.NegativeOutcome, wrongValue.ExitCode);
        Assert.Equal("PreconditionFailed", wrongValue.Json().GetProperty("status").GetString());
        Assert.Equal(set.Revision, wrongValue.Json().GetProperty("revision").GetInt64());
        Assert.Equal(ExitCodes.Success, right.ExitCode);
        Assert.StartsWith("deleted \"cad-cli/k\" revision=", right.Out.Trim());
        Assert.Equal(ExitCodes.UsageError, both.ExitCode);
        Assert.Equal(ExitCodes.UsageError, withPrefix.ExitCode);
        Assert.Contains("apply to one KEY", withPrefix.Error);
    }
}
