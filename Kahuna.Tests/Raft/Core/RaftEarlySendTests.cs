using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// Thesis §10.2.1: a leader may send its appends before its own write of them is durable. The core says when
/// (<see cref="Ready.MessagesMayGoFirst"/>): only a leader, and only under a term and vote already on disk.
/// </summary>
public sealed class RaftEarlySendTests
{
    [Fact]
    public void SteadyLeader_MaySendItsAppendsBeforeItsWrite()
    {
        var net = TestNetwork.Elected(3);
        net.Stabilize();
        net["n1"].Propose(Encoding.UTF8.GetBytes("a"));
        var rd = net["n1"].GetReady();
        Assert.True(rd.MustSync);
        Assert.NotEmpty(rd.Entries);
        Assert.Contains(rd.Messages, m => m is AppendRequest);
        Assert.True(rd.MessagesMayGoFirst);
    }

    [Fact]
    public void Follower_AcknowledgesOnlyAfterItsWrite()
    {
        var net = TestNetwork.Elected(3);
        net.Stabilize();
        net["n1"].Propose(Encoding.UTF8.GetBytes("a"));
        var leaderReady = net["n1"].GetReady();
        net["n1"].Advance(leaderReady);
        foreach (var append in leaderReady.Messages.OfType<AppendRequest>().Where(a => a.To == "n2")) net["n2"].Step(append);
        var rd = net["n2"].GetReady();
        Assert.Contains(rd.Messages, m => m is AppendResponse);
        Assert.False(rd.MessagesMayGoFirst);
    }

    [Fact]
    public void NewLeader_WaitsForTheReadyThatMakesItLeader()
    {
        var net = TestNetwork.Create(3);
        net["n1"].Campaign();
        var candidacy = net["n1"].GetReady();
        // A candidate's vote requests promise its new term and its own vote: both must be on disk first.
        Assert.NotNull(candidacy.HardState);
        Assert.False(candidacy.MessagesMayGoFirst);
        net["n1"].Advance(candidacy);
        foreach (var v in candidacy.Messages.OfType<VoteRequest>()) net[v.To].Step(v);
        foreach (var id in new[] { "n2", "n3" })
        {
            var rd = net[id].GetReady();
            net[id].Advance(rd);
            foreach (var m in rd.Messages) net["n1"].Step(m);
        }
        Assert.True(net["n1"].IsLeader);
        // The Ready that reports the new role is conservative; the next one may go first.
        var first = net["n1"].GetReady();
        Assert.NotNull(first.SoftState);
        Assert.False(first.MessagesMayGoFirst);
        net["n1"].Advance(first);
        net["n1"].Propose(Encoding.UTF8.GetBytes("a"));
        Assert.True(net["n1"].GetReady().MessagesMayGoFirst);
    }

    [Fact]
    public void LoneVoter_ThatElectsItself_DoesNotSendUnderATermNotYetOnDisk()
    {
        var learner = RaftConfiguration.Of(["n1"], ["n2"]);
        var node = new RaftNode(TestNetwork.Options("n1"), RaftStorageState.Bootstrap(learner));
        node.Campaign();
        Assert.True(node.IsLeader);
        node.Propose(Encoding.UTF8.GetBytes("a"));
        var rd = node.GetReady();
        Assert.Contains(rd.Messages, m => m is AppendRequest { To: "n2" });
        Assert.NotNull(rd.HardState);
        Assert.False(rd.MessagesMayGoFirst);
        // Once its term and vote are on disk, its appends to the learner may go first.
        node.Advance(rd);
        var n2 = new RaftNode(TestNetwork.Options("n2"), RaftStorageState.Bootstrap(learner));
        foreach (var m in rd.Messages) n2.Step(m);
        var answer = n2.GetReady();
        n2.Advance(answer);
        foreach (var m in answer.Messages) node.Step(m);
        node.Propose(Encoding.UTF8.GetBytes("b"));
        var next = node.GetReady();
        Assert.Contains(next.Messages, m => m is AppendRequest { To: "n2" });
        Assert.True(next.MessagesMayGoFirst);
    }
}
