using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

public class LockOperationsTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;
    private KahunaClient _client = null!;

    public Task InitializeAsync()
    {
        _server = TestServer.Start();
        _client = _server.CreateClient();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Ping_Succeeds() => await _client.PingAsync();

    [Fact]
    public async Task TryLock_Free_IsAcquiredWithTokenAndExpiry()
    {
        var owner = LockOwner.NewRandom();

        var result = await _client.TryLockAsync("res", owner, Lease);

        Assert.True(result.Acquired);
        Assert.Equal(1, result.FencingToken);
        Assert.NotNull(result.ExpiresAt);
        Assert.Equal(owner, result.Owner);
    }

    [Fact]
    public async Task TryLock_HeldByAnother_IsBusyNotAnException()
    {
        await _client.TryLockAsync("res", LockOwner.NewRandom(), Lease);

        var result = await _client.TryLockAsync("res", LockOwner.NewRandom(), Lease);

        Assert.False(result.Acquired);
        Assert.Equal(0, result.FencingToken);
    }

    [Fact]
    public async Task TryLock_SameOwnerAgain_GetsTheSameToken()
    {
        var owner = LockOwner.NewRandom();
        var first = await _client.TryLockAsync("res", owner, Lease);

        var again = await _client.TryLockAsync("res", owner, Lease);

        Assert.True(again.Acquired);
        Assert.Equal(first.FencingToken, again.FencingToken);
    }

    [Fact]
    public async Task Durabilities_AreSeparateLockSpaces()
    {
        await _client.TryLockAsync("res", LockOwner.NewRandom(), Lease, Durability.Persistent);

        var ephemeral = await _client.TryLockAsync("res", LockOwner.NewRandom(), Lease, Durability.Ephemeral);

        Assert.True(ephemeral.Acquired);
    }

    [Fact]
    public async Task ExtendLock_ByOwner_ExtendsWithSameToken_ByOtherIsNotOwner_WhenFreeIsNotFound()
    {
        var owner = LockOwner.NewRandom();
        var acquired = await _client.TryLockAsync("res", owner, TimeSpan.FromSeconds(1));

        var extended = await _client.ExtendLockAsync("res", owner, Lease);
        var byOther = await _client.ExtendLockAsync("res", LockOwner.NewRandom(), Lease);
        var free = await _client.ExtendLockAsync("other", owner, Lease);

        Assert.True(extended.Extended);
        Assert.Equal(acquired.FencingToken, extended.FencingToken);
        Assert.True(extended.ExpiresAt > acquired.ExpiresAt);
        Assert.Equal(KahunaStatus.NotOwner, byOther.Status);
        Assert.False(byOther.Extended);
        Assert.Equal(KahunaStatus.NotFound, free.Status);
    }

    [Fact]
    public async Task Unlock_ByOtherOwner_IsRejected_ByOwnerReleases_ThenNotFound()
    {
        var owner = LockOwner.NewRandom();
        await _client.TryLockAsync("res", owner, Lease);

        var byOther = await _client.UnlockAsync("res", LockOwner.NewRandom());
        var byOwner = await _client.UnlockAsync("res", owner);
        var again = await _client.UnlockAsync("res", owner);

        Assert.Equal(KahunaStatus.NotOwner, byOther.Status);
        Assert.True(byOwner.Released);
        Assert.Equal(KahunaStatus.NotFound, again.Status);
    }

    [Fact]
    public async Task Relock_AfterUnlock_GetsAHigherToken()
    {
        var owner = LockOwner.NewRandom();
        var first = await _client.TryLockAsync("res", owner, Lease);
        await _client.UnlockAsync("res", owner);

        var second = await _client.TryLockAsync("res", LockOwner.NewRandom(), Lease);

        Assert.True(second.FencingToken > first.FencingToken);
    }

    [Fact]
    public async Task GetLock_Held_ReturnsOwnerExpiryAndToken_FreeIsNotFound()
    {
        var owner = LockOwner.NewRandom();
        var acquired = await _client.TryLockAsync("res", owner, Lease, Durability.Ephemeral);

        var info = await _client.GetLockAsync("res", Durability.Ephemeral);
        var free = await _client.GetLockAsync("free", Durability.Ephemeral);

        Assert.True(info.Found);
        Assert.Equal(owner, info.Owner);
        Assert.Equal(acquired.FencingToken, info.FencingToken);
        Assert.Equal(acquired.ExpiresAt, info.ExpiresAt);
        Assert.False(free.Found);
    }

    [Fact]
    public async Task TryLock_InvalidLease_ThrowsInvalidInputWithoutReachingTheServer()
    {
        var error = await Assert.ThrowsAsync<KahunaException>(() => _client.TryLockAsync("res", LockOwner.NewRandom(), TimeSpan.FromHours(2)));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
        Assert.Contains("LeaseMs", error.Message);
        Assert.Empty(_server.Handler.Received);
    }

    [Fact]
    public async Task TryLock_EmptyOwner_ThrowsInvalidInput()
    {
        var error = await Assert.ThrowsAsync<KahunaException>(() => _client.TryLockAsync("res", default, Lease));

        Assert.Equal(KahunaStatus.InvalidInput, error.Status);
    }
}
