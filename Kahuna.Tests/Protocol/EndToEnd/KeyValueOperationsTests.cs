using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

public class KeyValueOperationsTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private KahunaClient _client = null!;
    private long _now = 1_700_000_000_000;

    public Task InitializeAsync()
    {
        _server = TestServer.Start();
        _server.Handler.NowUnixMs = () => Interlocked.Read(ref _now);
        _client = _server.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Set_ThenGet_ReturnsValueAndRevision()
    {
        var set = await _client.SetAsync("k", [1, 2, 3]);

        var got = await _client.GetAsync("k");

        Assert.True(set.Succeeded);
        Assert.Equal(1, set.Revision);
        Assert.True(got.Found);
        Assert.Equal(new byte[] { 1, 2, 3 }, got.Value);
        Assert.Equal(1, got.Revision);
        Assert.Null(got.ExpiresAt);
    }

    [Fact]
    public async Task StringOverloads_StoreUtf8()
    {
        await _client.SetAsync("greeting", "olá");

        var got = await _client.GetAsync("greeting");

        Assert.Equal("olá", got.ValueAsString());
        Assert.Equal("olá"u8.ToArray(), got.Value);
    }

    [Fact]
    public async Task Get_Missing_IsNotFoundResult()
    {
        var got = await _client.GetAsync("missing");

        Assert.False(got.Found);
        Assert.Null(got.Value);
    }

    [Fact]
    public async Task EmptyValue_IsStoredAndDistinctFromMissing()
    {
        await _client.SetAsync("empty", Array.Empty<byte>());

        var got = await _client.GetAsync("empty");

        Assert.True(got.Found);
        Assert.Empty(got.Value!);
    }

    [Fact]
    public async Task Set_RevisionsIncrease_AndOldRevisionsCanBeRead()
    {
        await _client.SetAsync("k", "v1");
        var second = await _client.SetAsync("k", "v2");

        var old = await _client.GetAtRevisionAsync("k", 1);
        var latest = await _client.GetAsync("k");

        Assert.Equal(2, second.Revision);
        Assert.Equal("v1", old.ValueAsString());
        Assert.Equal("v2", latest.ValueAsString());
    }

    [Fact]
    public async Task Set_IfNotExists_SucceedsOnceThenPreconditionFails()
    {
        var first = await _client.SetAsync("k", "a", flags: SetFlags.IfNotExists);
        var second = await _client.SetAsync("k", "b", flags: SetFlags.IfNotExists);

        Assert.True(first.Succeeded);
        Assert.False(second.Succeeded);
        Assert.Equal(1, second.Revision); // the current revision comes back
        Assert.Equal("a", (await _client.GetAsync("k")).ValueAsString());
    }

    [Fact]
    public async Task Set_IfExists_OnMissingKey_PreconditionFailsWithRevisionZero()
    {
        var result = await _client.SetAsync("k", "a", flags: SetFlags.IfExists);

        Assert.False(result.Succeeded);
        Assert.Equal(0, result.Revision);
    }

    [Fact]
    public async Task CompareValueAndSet_OnlyWhenTheValueMatches()
    {
        await _client.SetAsync("k", "a");

        var wrong = await _client.CompareValueAndSetAsync("k", "b", "not-a");
        var right = await _client.CompareValueAndSetAsync("k", "b", "a");

        Assert.False(wrong.Succeeded);
        Assert.True(right.Succeeded);
        Assert.Equal("b", (await _client.GetAsync("k")).ValueAsString());
    }

    [Fact]
    public async Task CompareRevisionAndSet_OnlyWhenTheRevisionMatches()
    {
        var set = await _client.SetAsync("k", "a");

        var wrong = await _client.CompareRevisionAndSetAsync("k", "b", set.Revision + 5);
        var right = await _client.CompareRevisionAndSetAsync("k", "b", set.Revision);

        Assert.False(wrong.Succeeded);
        Assert.Equal(set.Revision, wrong.Revision);
        Assert.True(right.Succeeded);
        Assert.Equal(set.Revision + 1, right.Revision);
    }

    [Fact]
    public async Task Exists_ReportsRevision_MissingIsFalse()
    {
        await _client.SetAsync("k", "a");
        await _client.SetAsync("k", "b");

        var exists = await _client.ExistsAsync("k");
        var missing = await _client.ExistsAsync("missing");

        Assert.True(exists.Exists);
        Assert.Equal(2, exists.Revision);
        Assert.False(missing.Exists);
    }

    [Fact]
    public async Task Delete_RemovesTheKey_SecondDeleteIsNotFound()
    {
        await _client.SetAsync("k", "a");

        var deleted = await _client.DeleteAsync("k");
        var again = await _client.DeleteAsync("k");

        Assert.True(deleted.Deleted);
        Assert.Equal(2, deleted.Revision);
        Assert.False(again.Deleted);
        Assert.False((await _client.GetAsync("k")).Found);
    }

    [Fact]
    public async Task Ttl_ExpiresTheKey_AndExtendMovesTheExpiry()
    {
        await _client.SetAsync("k", "a", ttl: TimeSpan.FromSeconds(10));
        var before = await _client.GetAsync("k");

        var extended = await _client.ExtendAsync("k", TimeSpan.FromSeconds(60));
        Interlocked.Add(ref _now, 30_000);
        var stillThere = await _client.GetAsync("k");
        Interlocked.Add(ref _now, 31_000);
        var gone = await _client.GetAsync("k");

        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_010_000), before.ExpiresAt);
        Assert.True(extended.Extended);
        Assert.Equal(before.Revision, extended.Revision);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_060_000), extended.ExpiresAt);
        Assert.True(stillThere.Found);
        Assert.False(gone.Found);
    }

    [Fact]
    public async Task Extend_MissingKey_IsNotExtended() => Assert.False((await _client.ExtendAsync("missing", TimeSpan.FromSeconds(1))).Extended);

    [Fact]
    public async Task Durabilities_AreSeparateKeySpaces()
    {
        await _client.SetAsync("k", "persistent", durability: Durability.Persistent);
        await _client.SetAsync("k", "ephemeral", durability: Durability.Ephemeral);

        Assert.Equal("persistent", (await _client.GetAsync("k", Durability.Persistent)).ValueAsString());
        Assert.Equal("ephemeral", (await _client.GetAsync("k", Durability.Ephemeral)).ValueAsString());
    }

    [Fact]
    public async Task LargestValue_RoundTrips()
    {
        var value = new byte[ProtocolLimits.MaxValueBytes];
        Random.Shared.NextBytes(value);

        await _client.SetAsync("big", value);

        Assert.Equal(value, (await _client.GetAsync("big")).Value);
    }

    [Fact]
    public async Task TooLargeValue_ThrowsTooLargeWithoutReachingTheServer()
    {
        var error = await Assert.ThrowsAsync<KahunaException>(() => _client.SetAsync("big", new byte[ProtocolLimits.MaxValueBytes + 1]));

        Assert.Equal(KahunaStatus.TooLarge, error.Status);
        Assert.Contains("Value", error.Message);
        Assert.Empty(_server.Handler.Received);
    }

    [Fact]
    public async Task InvalidDurability_ThrowsInvalidInput()
    {
        var error = await Assert.ThrowsAsync<KahunaException>(() => _client.GetAsync("k", (Durability)0));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
    }

    [Fact]
    public async Task NextSequence_HandsOutConsecutiveRanges()
    {
        var first = await _client.NextSequenceAsync("orders");
        var batch = await _client.NextSequenceAsync("orders", 10);
        var other = await _client.NextSequenceAsync("invoices", 3);

        Assert.Equal(new SequenceRange(1, 1), first);
        Assert.Equal(2, batch.Start);
        Assert.Equal(12, batch.End);
        Assert.Equal(Enumerable.Range(2, 10).Select(v => (long)v), batch.Values());
        Assert.Equal(new SequenceRange(1, 3), other);
    }

    [Fact]
    public async Task NextSequence_SameIdempotencyKey_ReturnsTheSameRange()
    {
        var first = await _client.NextSequenceAsync("orders", 5, idempotencyKey: "batch-1");
        var again = await _client.NextSequenceAsync("orders", 5, idempotencyKey: "batch-1");

        Assert.Equal(first, again);
        Assert.Equal(2, _server.Handler.Received.OfType<NextSequenceRequest>().Select(r => r.OperationId).Distinct().Count());
    }

    [Fact]
    public async Task NextSequence_InvalidCount_ThrowsInvalidInput()
    {
        var error = await Assert.ThrowsAsync<KahunaException>(() => _client.NextSequenceAsync("s", 0));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
    }

    [Fact]
    public async Task Writes_CarryTheClientIdAFreshSequenceAndAFloor()
    {
        await _client.SetAsync("a", "1");
        await _client.SetAsync("b", "2");

        var writes = _server.Handler.Received.OfType<SetRequest>().ToArray();

        Assert.All(writes, w => Assert.Equal(_client.ClientId, w.OperationId.ClientId));
        Assert.Equal(new long[] { 1, 2 }, writes.Select(w => w.OperationId.Sequence));
        // When the second write began, the first had been answered.
        Assert.Equal(2, writes[1].CompletedBelow);
    }
}
