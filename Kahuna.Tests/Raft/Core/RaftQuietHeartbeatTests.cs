using Akka.Configuration;
using Kahuna.Raft;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// A quiet leader (everything replicated, committed and announced; no read or transfer waiting) heartbeats every
/// <see cref="RaftOptions.QuietHeartbeatTicks"/> instead of every <see cref="RaftOptions.HeartbeatTicks"/>, and any
/// work brings the busy rate back at once.
/// </summary>
public sealed class RaftQuietHeartbeatTests
{
    private static TestNetwork Quiet(int quietTicks = 4, bool checkQuorum = false, int randomTimeout = 9)
    {
        var net = TestNetwork.Elected(3, o => o with { QuietHeartbeatTicks = quietTicks, CheckQuorum = checkQuorum }, randomTimeout);
        net.Stabilize();
        return net;
    }

    /// <summary>Ticks every replica <paramref name="ticks"/> times, delivering everything after each tick; returns the ticks at which n1 sent heartbeats.</summary>
    private static List<int> HeartbeatTicks(TestNetwork net, int ticks)
    {
        var at = new List<int>();
        for (var t = 1; t <= ticks; t++)
        {
            var before = net.Sent.Count;
            foreach (var n in net.Nodes.ToList()) net.Tick(n.Id);
            net.Stabilize();
            if (net.Sent.Skip(before).Any(m => m is HeartbeatRequest && m.From == "n1")) at.Add(t);
        }
        return at;
    }

    [Fact]
    public void AQuietLeader_HeartbeatsEveryQuietInterval_AfterOneRoundThatAnnouncesItsCommitIndex()
    {
        var net = Quiet();
        // The election's no-op was committed after the last heartbeat: one round at the busy rate announces it.
        Assert.Equal([1, 5, 9, 13, 17], HeartbeatTicks(net, 20));
    }

    [Fact]
    public void AProposal_BringsTheBusyRateBack_UntilItIsCommittedAndAnnounced()
    {
        var net = Quiet();
        HeartbeatTicks(net, 4); // quiet since tick 1
        net.Propose("n1", "a");
        Assert.Equal([1, 5, 9], HeartbeatTicks(net, 10));
        Assert.All(net.Nodes, n => Assert.Equal(net["n1"].CommitIndex, n.CommitIndex));
    }

    [Fact]
    public void AFollowerThatLags_KeepsTheLeaderAtTheBusyRate()
    {
        var net = Quiet();
        net.Cut("n1", "n3");
        net.Propose("n1", "a"); // committed with n2; n3 never gets it
        Assert.Equal(Enumerable.Range(1, 8).ToList(), HeartbeatTicks(net, 8));
        net.Heal();
        HeartbeatTicks(net, 2); // n3 catches up and learns the commit index
        Assert.Equal(net["n1"].CommitIndex, net["n3"].CommitIndex);
        Assert.Equal([3, 7], HeartbeatTicks(net, 8));
    }

    [Fact]
    public void WithTheShortestElectionTimeout_AQuietGroupKeepsItsLeader_UnderCheckQuorum()
    {
        // Followers campaign after exactly 10 ticks without a leader; the quiet interval is 4.
        var net = Quiet(checkQuorum: true, randomTimeout: 0);
        var term = net["n1"].Term;
        HeartbeatTicks(net, 200);
        Assert.True(net["n1"].IsLeader);
        Assert.Equal(term, net["n1"].Term);
    }

    [Fact]
    public void TheQuietInterval_IsBoundedSoOneLostHeartbeatCostsNoElectionAndNoLease()
    {
        RaftOptions With(int quiet) => TestNetwork.Options("n1") with { QuietHeartbeatTicks = quiet };
        With(0).Validate();
        With(4).Validate(); // (10 - 2) / 2
        Assert.Throws<ArgumentException>(() => With(5).Validate());
        Assert.Throws<ArgumentException>(() => (With(1) with { HeartbeatTicks = 2 }).Validate());

        // The node's settings cap what they hand the core, and turn it off where the cap leaves nothing to gain.
        RaftSettings Settings(string hocon) => RaftSettings.Create(
            ConfigurationFactory.ParseString(hocon).WithFallback(RaftSettings.DefaultConfig()).GetConfig("kahuna.raft"));
        Assert.Equal(3, Settings("").EffectiveQuietHeartbeatTicks);
        Assert.Equal(4, Settings("kahuna.raft.quiet-heartbeat-ticks = 9").EffectiveQuietHeartbeatTicks);
        Assert.Equal(0, Settings("kahuna.raft { election-ticks = 4, quiet-heartbeat-ticks = 9 }").EffectiveQuietHeartbeatTicks);
        Assert.Equal(0, Settings("kahuna.raft.quiet-heartbeat-ticks = 0").EffectiveQuietHeartbeatTicks);
        Assert.Throws<ConfigurationException>(() => Settings("kahuna.raft.quiet-heartbeat-ticks = -1"));
    }
}
