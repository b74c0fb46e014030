using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// After a stall (a late timer, a long journal write, a paused process) the host hands the core every tick it missed
/// in one call, <see cref="RaftNode.Tick(int)"/>. Time is counted in full, but the decisions time alone would take wait
/// for the next call, after the messages of the stall are stepped: judging the quorum twice in one burst deposed
/// leaders whose followers had all answered (seen as a leader change in the middle of a benchmark, 28 Nov).
/// </summary>
public sealed class RaftStallTests
{
    private const int Election = 10;

    private static TestNetwork Elected() =>
        TestNetwork.Elected(3, o => o with { CheckQuorum = true, PreVote = true });

    [Fact]
    public void ALeader_KeepsLeading_ThroughABurstOfThreeElectionTimeouts_WhenItsFollowersHadAnswered()
    {
        var net = Elected();
        net.Tick("n1");
        net.Stabilize(); // a heartbeat round the followers answered

        net["n1"].Tick(3 * Election);
        Assert.True(net["n1"].IsLeader, "a burst judged the quorum more than once, with nothing stepped in between");

        // The deferred judgement comes with the next tick, and still counts the answers from before the stall.
        net["n1"].Tick();
        Assert.True(net["n1"].IsLeader);
    }

    [Fact]
    public void ALeaderCutOff_StillStepsDown_AnElectionTimeoutAfterABurst()
    {
        var net = Elected();
        net.Tick("n1");
        net.Stabilize();
        net.Isolate("n1");

        net["n1"].Tick(3 * Election);
        net["n1"].Tick();
        Assert.True(net["n1"].IsLeader, "the answers from before the stall still count once");
        net.Tick("n1", Election);
        Assert.False(net["n1"].IsLeader);
    }

    [Fact]
    public void AFollower_DoesNotCampaignInABurst_AndAHeartbeatSteppedAfterItKeepsItFollowing()
    {
        var net = Elected();
        net.DropAll();

        net["n2"].Tick(3 * Election);
        net.Flush();
        Assert.Empty(net.SentOfType<VoteRequest>());
        Assert.Equal(RaftRole.Follower, net["n2"].Role);

        // The leader's heartbeat of the stall is stepped before n2's next tick.
        net.Tick("n1");
        net.Stabilize();
        net["n2"].Tick();
        net.Flush();
        Assert.Empty(net.SentOfType<VoteRequest>());
        Assert.Equal("n1", net["n2"].Leader);
    }

    /// <summary>A group whose leader n1 is cut off, with nothing in flight.</summary>
    private static TestNetwork LeaderCutOff()
    {
        var net = Elected();
        net.Isolate("n1");
        net.DropAll();
        return net;
    }

    [Fact]
    public void AFollowerThatHearsNothing_CampaignsOnTheTickAfterTheBurst()
    {
        var net = LeaderCutOff();

        net["n2"].Tick(3 * Election);
        net["n2"].Tick();
        net.Flush();

        Assert.Contains(net.SentOfType<VoteRequest>(), v => v.From == "n2" && v.PreVote);
    }

    [Fact]
    public void OnlyOneBurstInARowDefers_SoAReplicaWhoseEveryTickIsLateStillCampaigns()
    {
        var net = LeaderCutOff();

        net["n2"].Tick(3 * Election);
        net["n2"].Tick(3 * Election);
        net.Flush();

        Assert.Contains(net.SentOfType<VoteRequest>(), v => v.From == "n2");
    }
}
