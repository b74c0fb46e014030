using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// <see cref="Ready.DurableCommittedCount"/>: which committed entries a host may apply before it writes the Ready
/// that hands them out. Exactly those already on the replica's disk, never one the Ready itself writes.
/// </summary>
public sealed class RaftDurableCommittedTests
{
    private static byte[] Bytes(string s) => Encoding.UTF8.GetBytes(s);

    /// <summary>Hands a Ready's messages to their replicas, persists what they answer and returns the answers.</summary>
    private static List<RaftMessage> Answer(TestNetwork net, Ready rd, params string[] to)
    {
        var answers = new List<RaftMessage>();
        foreach (var m in rd.Messages.Where(m => to.Contains(m.To))) net[m.To].Step(m);
        foreach (var id in to)
        {
            var reply = net[id].GetReady();
            net[id].Advance(reply);
            answers.AddRange(reply.Messages);
        }
        return answers;
    }

    [Fact]
    public void BusyLeader_MayApplyWhatItsFollowersAcknowledged_BeforeWritingItsNewEntries()
    {
        var net = TestNetwork.Elected(3);
        net.Stabilize();
        var leader = net["n1"];
        leader.Propose(Bytes("a"));
        var first = leader.GetReady();
        Assert.Equal("a", TestNetwork.Text(Assert.Single(first.Entries)));
        leader.Advance(first);
        var acks = Answer(net, first, "n2", "n3");

        // The acknowledgements arrive together with a new proposal: one Ready writes b and commits a.
        foreach (var m in acks) leader.Step(m);
        leader.Propose(Bytes("b"));
        var second = leader.GetReady();
        Assert.Equal("b", TestNetwork.Text(Assert.Single(second.Entries)));
        Assert.Equal("a", TestNetwork.Text(second.CommittedEntries[^1]));
        Assert.True(second.MessagesMayGoFirst);
        Assert.Equal(second.CommittedEntries.Count, second.DurableCommittedCount);
    }

    [Fact]
    public void LaggingFollower_WaitsForItsWriteOfEntriesThatAreAlreadyCommitted()
    {
        var net = TestNetwork.Elected(3);
        net.Stabilize();
        net.Cut("n1", "n3");
        net.Propose("n1", "a");
        net.Propose("n1", "b");
        Assert.Equal(2, net.Applied["n1"].Count(e => e.Data.Length > 0));
        net.Heal();
        net.DropAll();

        // n3 gets a and b together with a commit index that already covers them: committed, but not on its disk.
        // (Heartbeats first reveal the gap; the leader then sends the entries.)
        Ready? rd = null;
        for (var round = 0; round < 10 && rd is null; round++)
        {
            net["n1"].Tick();
            net.Flush();
            foreach (var m in net.Sent.Where(m => m.To == "n3").ToList()) net["n3"].Step(m);
            net.DropAll();
            var reply = net["n3"].GetReady();
            if (reply.Entries.Count > 0)
            {
                rd = reply;
                break;
            }
            net["n3"].Advance(reply);
            foreach (var m in reply.Messages) net["n1"].Step(m);
        }
        Assert.NotNull(rd);
        Assert.Contains(rd.Entries, e => e.Data.Length > 0 && TestNetwork.Text(e) == "b");
        Assert.Contains(rd.CommittedEntries, e => e.Data.Length > 0 && TestNetwork.Text(e) == "b");
        Assert.False(rd.MessagesMayGoFirst);
        Assert.True(rd.CommittedEntries.Take(rd.DurableCommittedCount).All(e => e.Index < rd.Entries[0].Index),
            "an entry the Ready writes was counted as durable");
        Assert.True(rd.DurableCommittedCount < rd.CommittedEntries.Count);
    }
}
