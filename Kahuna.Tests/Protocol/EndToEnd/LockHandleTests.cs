using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

public class LockHandleTests : IAsyncLifetime
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
    public async Task AcquireLock_Free_IsAcquired_AndDisposeReleasesIt()
    {
        await using (var handle = await _client.AcquireLockAsync("res", Lease))
        {
            Assert.True(handle.IsAcquired);
            Assert.Equal(1, handle.FencingToken);
            Assert.Equal(32, handle.OwnerHex.Length); // 16 random bytes
            Assert.True((await _client.GetLockAsync("res")).Found);
        }

        Assert.False((await _client.GetLockAsync("res")).Found);
    }

    [Fact]
    public async Task AcquireLock_Busy_WithoutWait_IsNotAcquired_AndDisposeDoesNotUnlock()
    {
        await using var holder = await _client.AcquireLockAsync("res", Lease);

        await using (var contender = await _client.AcquireLockAsync("res", Lease))
            Assert.False(contender.IsAcquired);

        Assert.Empty(_server.Handler.Received.OfType<UnlockRequest>());
        Assert.Equal(holder.Owner, (await _client.GetLockAsync("res")).Owner);
    }

    [Fact]
    public async Task AcquireLock_Busy_WaitsAndGetsItWhenReleased()
    {
        var holder = await _client.AcquireLockAsync("res", Lease);
        var waiting = _client.AcquireLockAsync("res", Lease, wait: TimeSpan.FromSeconds(10));
        await Eventually.TrueAsync(() => _server.Handler.Received.OfType<TryLockRequest>().Count() >= 2, TimeSpan.FromSeconds(5), "the contender tried");

        Assert.True(await holder.ReleaseAsync());
        await using var contender = await waiting;

        Assert.True(contender.IsAcquired);
        Assert.True(contender.FencingToken > holder.FencingToken);
    }

    [Fact]
    public async Task AcquireLock_Busy_GivesUpAfterTheWait()
    {
        await using var holder = await _client.AcquireLockAsync("res", Lease);
        await using var quickRetries = _server.CreateClient(o => o with { LockRetryInterval = TimeSpan.FromMilliseconds(10) });

        await using var contender = await quickRetries.AcquireLockAsync("res", Lease, wait: TimeSpan.FromMilliseconds(300));

        Assert.False(contender.IsAcquired);
        Assert.True(_server.Handler.Received.OfType<TryLockRequest>().Count() >= 2);
    }

    [Fact]
    public async Task Extend_And_Release_UpdateTheHandle()
    {
        var handle = await _client.AcquireLockAsync("res", TimeSpan.FromSeconds(1));
        var firstExpiry = handle.ExpiresAt;

        Assert.True(await handle.ExtendAsync(Lease));
        Assert.True(handle.ExpiresAt > firstExpiry);
        Assert.True(await handle.ReleaseAsync());
        Assert.False(handle.IsAcquired);
        Assert.False(await handle.ReleaseAsync());
        await handle.DisposeAsync();

        Assert.Single(_server.Handler.Received.OfType<UnlockRequest>());
    }

    [Fact]
    public async Task Extend_AfterLosingTheLock_ReturnsFalseAndTheHandleIsNoLongerAcquired()
    {
        var handle = await _client.AcquireLockAsync("res", Lease);
        await _client.UnlockAsync("res", handle.Owner);

        Assert.False(await handle.ExtendAsync(Lease));
        Assert.False(handle.IsAcquired);
    }

    [Fact]
    public async Task OwnerHex_RoundTrips_SoAnotherCommandCanUnlock()
    {
        var handle = await _client.AcquireLockAsync("res", Lease, durability: Durability.Ephemeral);

        var parsed = LockOwner.FromHex(handle.OwnerHex);
        var released = await _client.UnlockAsync("res", parsed, Durability.Ephemeral);

        Assert.Equal(handle.Owner, parsed);
        Assert.True(released.Released);
    }

    [Fact]
    public async Task AcquireLock_WithAGivenOwner_UsesIt()
    {
        var owner = LockOwner.FromBytes("worker-1"u8);

        await using var handle = await _client.AcquireLockAsync("res", Lease, owner: owner);

        Assert.Equal(owner, handle.Owner);
        Assert.Equal("worker-1"u8.ToArray(), (await _client.GetLockAsync("res")).Owner.Bytes.ToArray());
    }

    [Fact]
    public async Task Dispose_WhenTheServerIsGone_DoesNotThrow()
    {
        await using var server = TestServer.Start(KahunaServerSettings.Default with { ShutdownTimeout = TimeSpan.FromMilliseconds(200) });
        await using var client = server.CreateClient(o => o with { RequestTimeout = TimeSpan.FromMilliseconds(500) });
        var handle = await client.AcquireLockAsync("res", Lease);
        await server.Server.StopAsync();

        await handle.DisposeAsync();

        Assert.False(handle.IsAcquired);
    }
}
