using Kahuna.Node.Cli.Client;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>The CLI's wait after transfer-leader: it asks again while the target does not lead, and ends on a real refusal.</summary>
public sealed class LeaderTransferWaitTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task AnAbandonedTransfer_IsAskedForAgain_UntilTheTargetLeads()
    {
        var asked = 0;
        // The leader stays n2 until the transfer has been asked for twice more; the second try then succeeds.
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>(asked >= 2 ? "n3" : "n2"),
            _ => { asked++; return Task.CompletedTask; }, Tick, Tick);

        var leader = await waiter.RunAsync("n3", TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.Equal("n3", leader);
        Assert.Equal(2, waiter.AskedAgain);
    }

    [Fact]
    public async Task ATargetThatAlreadyLeads_IsNotAskedAgain()
    {
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>("n3"),
            _ => throw new InvalidOperationException("must not ask again"), Tick, Tick);

        Assert.Equal("n3", await waiter.RunAsync("n3", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(0, waiter.AskedAgain);
    }

    [Fact]
    public async Task AnElectionInProgress_IsWaitedOut()
    {
        var asked = 0;
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>(asked >= 3 ? "n3" : null),
            _ => ++asked < 3 ? throw new KahunaException(KahunaStatus.Timeout, "no answer within 10 s; last problem: NotLeader: election in progress") : Task.CompletedTask, Tick, Tick);

        Assert.Equal("n3", await waiter.RunAsync("n3", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(3, waiter.AskedAgain);
    }

    [Fact]
    public async Task ARefusal_EndsTheWait()
    {
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>("n2"),
            _ => throw new KahunaException(KahunaStatus.InvalidInput, "n9 holds no replica"), Tick, Tick);

        var refused = await Assert.ThrowsAsync<KahunaException>(() => waiter.RunAsync("n9", TimeSpan.FromSeconds(30), CancellationToken.None));
        Assert.Equal(KahunaStatus.InvalidInput, refused.Status);
    }

    [Fact]
    public async Task PatienceBoundsACallThatWaitsForAnElection()
    {
        // The retry inside the client would wait for a leader up to its own request timeout; patience cuts it off.
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>("n2"),
            ct => Task.Delay(Timeout.Infinite, ct), TimeSpan.FromMilliseconds(1), TimeSpan.Zero);

        Assert.Equal("n2", await waiter.RunAsync("n3", TimeSpan.FromMilliseconds(50), CancellationToken.None));
        Assert.Equal(1, waiter.AskedAgain);
    }

    [Fact]
    public async Task WhenPatienceRunsOut_TheLastLeaderSeenIsReturned()
    {
        var waiter = new LeaderTransferWait(_ => Task.FromResult<string?>("n2"), _ => Task.CompletedTask, Tick, TimeSpan.FromHours(1));

        Assert.Equal("n2", await waiter.RunAsync("n3", TimeSpan.FromMilliseconds(20), CancellationToken.None));
        Assert.Equal(0, waiter.AskedAgain);
    }
}
