using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// Thesis §6.4 with a busy leader: when reads and proposals arrive in one burst, the read round's context rides on the
/// appends the leader sends anyway, and an answer to such an append confirms the round as a heartbeat's answer would.
/// </summary>
public sealed class RaftReadRoundTests
{
    private static TestNetwork Busy()
    {
        var net = TestNetwork.Elected(3);
        net.Stabilize();
        return net;
    }

    [Fact]
    public void ReadAndProposalInOneBurst_TheRoundRidesOnTheAppends()
    {
        var net = Busy();
        var leader = net["n1"];
        leader.Propose(Encoding.UTF8.GetBytes("a"));
        var read = leader.ReadIndex();
        var rd = leader.GetReady();
        Assert.DoesNotContain(rd.Messages, m => m is HeartbeatRequest);
        var appends = rd.Messages.OfType<AppendRequest>().ToList();
        Assert.Equal(["n2", "n3"], appends.Select(a => a.To).Order());
        Assert.All(appends, a => Assert.True(a.ReadContext > read.Context));
        leader.Advance(rd);

        // One follower's answer makes a quorum with the leader: the read is confirmed.
        var toN2 = appends.Single(a => a.To == "n2");
        net["n2"].Step(toN2);
        var answer = net["n2"].GetReady();
        net["n2"].Advance(answer);
        var response = Assert.IsType<AppendResponse>(Assert.Single(answer.Messages));
        Assert.Equal(toN2.ReadContext, response.ReadContext);
        leader.Step(response);
        Assert.Contains(leader.GetReady().ReadStates, s => s.Context == read.Context);
    }

    [Fact]
    public void AnAnswerToAnOlderRound_DoesNotConfirmANewerRead()
    {
        var net = Busy();
        var leader = net["n1"];
        leader.Propose(Encoding.UTF8.GetBytes("a"));
        var first = leader.ReadIndex();
        var round1 = leader.GetReady();
        leader.Advance(round1);
        leader.Propose(Encoding.UTF8.GetBytes("b"));
        var second = leader.ReadIndex();
        var round2 = leader.GetReady();
        leader.Advance(round2);

        // n2 answers only the first round's append: that confirms the first read, not the second.
        net["n2"].Step(round1.Messages.OfType<AppendRequest>().Single(a => a.To == "n2"));
        var answer = net["n2"].GetReady();
        net["n2"].Advance(answer);
        foreach (var m in answer.Messages) leader.Step(m);
        var states = leader.GetReady().ReadStates;
        Assert.Contains(states, s => s.Context == first.Context);
        Assert.DoesNotContain(states, s => s.Context == second.Context);
    }

    [Fact]
    public void IsolatedLeader_ThatKeepsReplicating_ServesNoRead()
    {
        var net = Busy();
        net.ReadStates.Clear();
        net.Isolate("n1");
        net.Propose("n1", "a");
        var stale = net["n1"].ReadIndex();
        net.Propose("n1", "b");
        net.Stabilize();
        net.Tick("n1", 3);
        net.Stabilize();
        Assert.DoesNotContain(net.ReadStates, r => r.Context == stale.Context);
        net.Heal();
        net.Tick("n1", 1);
        net.Stabilize();
        Assert.Contains(net.ReadStates, r => r.Context == stale.Context);
    }
}
