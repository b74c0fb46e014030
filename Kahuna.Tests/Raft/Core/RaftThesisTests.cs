using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>Claims of the Raft thesis (Ongaro 2014) beyond the paper: membership, compaction, reads, pre-vote, transfer.</summary>
public sealed class RaftThesisTests
{
    private static TestNetwork Elected(int voters, Func<RaftOptions, RaftOptions>? tweak = null) => TestNetwork.Elected(voters, tweak);

    // Thesis §4.2.1: new servers join as non-voting members (learners) until they have caught up, then are promoted.
    [Fact]
    public void Section4_Learner_CatchesUpWithoutVotingThenIsPromoted()
    {
        var net = Elected(3);
        net.Propose("n1", "a");
        net.Add("n4", RaftStorageState.Joining());
        var add = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.AddLearner, "n4"), out _);
        net.Stabilize();
        Assert.True(add.Accepted);
        Assert.True(net["n1"].Configuration.IsLearner("n4"));
        Assert.Equal(net["n1"].LastIndex, net["n4"].LastIndex);
        // A learner never campaigns.
        net.Tick("n4", 50);
        Assert.Equal(RaftRole.Follower, net["n4"].Role);
        var promote = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.PromoteLearner, "n4"), out _);
        net.Stabilize();
        Assert.True(promote.Accepted);
        Assert.True(net["n4"].Configuration.IsVoter("n4"));
        Assert.Equal(4, net["n1"].Configuration.Voters.Count);
    }

    // Thesis §4.1: only one configuration change may be pending at a time.
    [Fact]
    public void Section4_1_SecondChange_IsRejectedWhileTheFirstIsUncommitted()
    {
        var net = Elected(3);
        net.Isolate("n1");
        var first = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.AddLearner, "n4"), out _);
        var second = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.AddLearner, "n5"), out var error);
        Assert.True(first.Accepted);
        Assert.Equal(ProposeStatus.Rejected, second.Status);
        Assert.Contains("not yet committed", error);
    }

    // Thesis §4.1 (erratum): a leader may not change membership before it has committed an entry of its own term.
    [Fact]
    public void Section4_1_NewLeader_CannotChangeMembershipBeforeCommittingInItsTerm()
    {
        var net = TestNetwork.Create(3);
        net["n1"].Campaign();
        net.Flush();
        foreach (var v in net.SentOfType<VoteRequest>()) net[v.To].Step(v);
        net.Flush();
        foreach (var v in net.SentOfType<VoteResponse>()) net["n1"].Step(v);
        Assert.True(net["n1"].IsLeader);
        var change = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.RemoveReplica, "n3"), out var error);
        Assert.Equal(ProposeStatus.Rejected, change.Status);
        Assert.NotNull(error);
    }

    // Thesis §4.2.2: a leader removed from the configuration steps down once the change commits.
    [Fact]
    public void Section4_2_2_RemovedLeader_StepsDownAfterTheRemovalCommits()
    {
        var net = Elected(3);
        var removal = net["n1"].ProposeConfigChange(new ConfigChange(ConfigChangeKind.RemoveReplica, "n1"), out _);
        net.Stabilize();
        Assert.True(removal.Accepted);
        Assert.NotEqual(RaftRole.Leader, net["n1"].Role);
        Assert.False(net["n2"].Configuration.Contains("n1"));
        // It handed over: a remaining voter leads without waiting for an election timeout.
        Assert.True(net["n2"].IsLeader || net["n3"].IsLeader);
    }

    // Thesis §5 / paper §7: a follower that fell behind the leader's compacted log is caught up with a snapshot.
    [Fact]
    public void Section5_LaggingFollower_IsCaughtUpBySnapshot()
    {
        var net = Elected(3);
        net.Isolate("n3");
        for (var i = 0; i < 10; i++) net.Propose("n1", $"v{i}");
        var leader = net["n1"];
        var meta = leader.SnapshotMetadataAt(leader.AppliedIndex)!;
        net.Disk("n1").SaveSnapshot(meta, Encoding.UTF8.GetBytes("state"));
        leader.SnapshotSaved(meta);
        leader.CompactLog(meta.Index);
        net.Heal();
        net.Tick("n1");
        net.Stabilize();
        var snapshot = net.SentOfType<SnapshotRequest>().Single(s => s.To == "n3");
        Assert.Equal(meta.Index, snapshot.Metadata.Index);
        Assert.Equal("state", Encoding.UTF8.GetString(net.Disk("n3").SnapshotData));
        Assert.Equal(meta.Index, net.Disk("n3").Snapshot.Index);
        net.Propose("n1", "after");
        Assert.Equal(leader.LastIndex, net["n3"].LastIndex);
        net.Tick("n1"); // followers learn the commit index from the next heartbeat (or append)
        net.Stabilize();
        Assert.Equal(leader.CommitIndex, net["n3"].CommitIndex);
    }

    // Thesis §6.4: ReadIndex answers only after a quorum confirms the leader; a partitioned leader cannot serve reads.
    [Fact]
    public void Section6_4_ReadIndex_NeedsAQuorumHeartbeatRound()
    {
        var net = Elected(3);
        var read = net["n1"].ReadIndex();
        Assert.True(read.Accepted);
        net.Stabilize();
        Assert.Contains(net.ReadStates, r => r.Context == read.Context && r.Index == net["n1"].CommitIndex);

        net.ReadStates.Clear();
        net.Isolate("n1");
        var stale = net["n1"].ReadIndex();
        net.Stabilize();
        Assert.DoesNotContain(net.ReadStates, r => r.Context == stale.Context);
    }

    [Fact]
    public void Section6_4_ReadIndex_OnFollower_IsRefusedWithLeaderHint()
    {
        var net = Elected(3);
        var read = net["n2"].ReadIndex();
        Assert.False(read.Accepted);
        Assert.Equal("n1", read.LeaderHint);
    }

    // Thesis §6.4.1: with a lease, reads are served without a round trip while the last confirmed round is recent.
    [Fact]
    public void Section6_4_1_LeaseRead_IsImmediateWhileTheLeaseHolds_AndExpires()
    {
        var net = Elected(3, o => o with { CheckQuorum = true, ReadMode = ReadMode.LeaseBased });
        net.Tick("n1");
        net.Stabilize(); // a heartbeat round acknowledged by everyone anchors the lease
        net.DropAll();
        var read = net["n1"].ReadIndex();
        net.Flush();
        Assert.Contains(net.ReadStates, r => r.Context == read.Context);
        Assert.Empty(net.SentOfType<HeartbeatRequest>());

        net.Isolate("n1");
        net.Tick("n1", 9); // past the lease (election timeout minus margin), still leader
        net.Stabilize();
        Assert.True(net["n1"].IsLeader);
        net.ReadStates.Clear();
        var late = net["n1"].ReadIndex();
        net.Stabilize();
        Assert.DoesNotContain(net.ReadStates, r => r.Context == late.Context);
    }

    // Thesis §9.6: pre-vote keeps a replica that was partitioned away from disrupting the group when it returns.
    [Fact]
    public void Section9_6_PreVote_PartitionedReplicaDoesNotRaiseTerms()
    {
        var net = Elected(3, o => o with { PreVote = true, CheckQuorum = true });
        var term = net["n1"].Term;
        net.Isolate("n3");
        net.Tick("n3", 100);
        net.Stabilize();
        Assert.Equal(term, net["n3"].Term);
        net.Heal();
        net.Tick("n1");
        net.Stabilize();
        Assert.True(net["n1"].IsLeader);
        Assert.Equal(term, net["n1"].Term);
    }

    // Thesis §6.2: with check-quorum, a leader that cannot hear from a majority steps down.
    [Fact]
    public void Section6_2_CheckQuorum_IsolatedLeaderStepsDown()
    {
        var net = Elected(3, o => o with { CheckQuorum = true });
        net.Isolate("n1");
        net.Tick("n1", 20);
        net.Stabilize();
        Assert.Equal(RaftRole.Follower, net["n1"].Role);
    }

    // Thesis §3.10: leadership transfer brings the target up to date, then tells it to campaign at once.
    [Fact]
    public void Section3_10_LeadershipTransfer_MovesLeadershipToTheTarget()
    {
        var net = Elected(3, o => o with { PreVote = true, CheckQuorum = true });
        net.Isolate("n3");
        net.Propose("n1", "a");
        net.Heal();
        Assert.True(net["n1"].TransferLeadership("n3"));
        Assert.Equal(ProposeStatus.TransferInProgress, net["n1"].Propose(Encoding.UTF8.GetBytes("refused")).Status);
        net.Stabilize();
        Assert.True(net["n3"].IsLeader);
        Assert.Equal(RaftRole.Follower, net["n1"].Role);
    }

    // §3.10 with a lost TimeoutNow: the leader asks again on the target's next heartbeat answer, so one lost message
    // (or a target that was briefly a pre-candidate and ignored it) does not cost the whole transfer.
    [Fact]
    public void Section3_10_LeadershipTransfer_SurvivesALostTimeoutNow()
    {
        var net = Elected(3, o => o with { PreVote = true, CheckQuorum = true });
        Assert.True(net["n1"].TransferLeadership("n3"));
        net.Flush();
        Assert.Single(net.SentOfType<TimeoutNowRequest>());
        net.DropAll();

        net.Tick("n1");
        net.Stabilize();
        Assert.True(net["n3"].IsLeader);
        Assert.Equal(RaftRole.Follower, net["n1"].Role);
    }

    // Flow control: a follower in the replicate state receives pipelined appends, bounded by the inflight window.
    [Fact]
    public void Replication_PipelinesAppendsUpToTheInflightWindow()
    {
        var net = Elected(3, o => o with { MaxInflightAppends = 3, MaxBytesPerAppend = 1 });
        net.DropAll();
        for (var i = 0; i < 10; i++)
        {
            net["n1"].Propose(Encoding.UTF8.GetBytes($"v{i}"));
            net.Flush();
        }
        var toN2 = net.SentOfType<AppendRequest>().Where(a => a.To == "n2" && a.Entries.Count > 0).ToList();
        Assert.Equal(3, toN2.Count);
    }

    // Overload: proposals are refused once too many uncommitted bytes wait, so memory stays bounded.
    [Fact]
    public void Proposals_AreRefusedWhenTheUncommittedTailIsTooLarge()
    {
        var net = Elected(3, o => o with { MaxUncommittedBytes = 1000 });
        net.Isolate("n1");
        var statuses = Enumerable.Range(0, 50).Select(_ => net["n1"].Propose(new byte[100]).Status).ToList();
        Assert.Contains(ProposeStatus.Overloaded, statuses);
        Assert.True(statuses.Count(s => s == ProposeStatus.Accepted) < 20);
    }
}
