using System.Text;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// One test per claim of the Raft paper (Ongaro &amp; Ousterhout, "In Search of an Understandable Consensus
/// Algorithm"), each citing its section, in the style of etcd's raft_paper_test.go: set up, act, check.
/// </summary>
public sealed class RaftPaperTests
{
    private static readonly RaftConfiguration Three = RaftConfiguration.Of(["n1", "n2", "n3"]);

    private static LogEntry E(long index, long term, string data = "x") => new(index, term, Encoding.UTF8.GetBytes(data));

    private static RaftNode NodeWithLog(string id, long term, RaftConfiguration config, params LogEntry[] entries) =>
        new(TestNetwork.Options(id), new RaftStorageState(new HardState(term, null, 0), new SnapshotMetadata(0, 0, config), entries));

    private static List<RaftMessage> Drain(RaftNode node)
    {
        var rd = node.GetReady();
        node.Advance(rd);
        return rd.Messages.ToList();
    }

    // §5.1: "If one server's current term is smaller than the other's, then it updates its current term to the larger value.
    // If a candidate or leader discovers that its term is out of date, it immediately reverts to follower state."
    [Theory]
    [InlineData(RaftRole.Follower)]
    [InlineData(RaftRole.Candidate)]
    [InlineData(RaftRole.Leader)]
    public void Section5_1_AnyRole_AdoptsHigherTermAndFollows(RaftRole role)
    {
        var net = TestNetwork.Create(3);
        if (role == RaftRole.Leader) net.Campaign("n1");
        if (role == RaftRole.Candidate) { net["n1"].Campaign(); net.DropAll(); }
        var n1 = net["n1"];
        n1.Step(new AppendRequest("n2", "n1", 7, 0, 0, [], 0));
        Assert.Equal(7, n1.Term);
        Assert.Equal(RaftRole.Follower, n1.Role);
        Assert.Equal("n2", n1.Leader);
    }

    // §5.1: "If a server receives a request with a stale term number, it rejects the request."
    [Fact]
    public void Section5_1_StaleTermAppend_IsRejected()
    {
        var n1 = NodeWithLog("n1", 3, Three);
        n1.Step(new AppendRequest("n2", "n1", 2, 0, 0, [E(1, 2)], 0));
        Assert.Equal(0, n1.LastIndex);
        Assert.Equal(3, n1.Term);
    }

    // §5.2: "When servers start up, they begin as followers."
    [Fact]
    public void Section5_2_ServersStartAsFollowers()
    {
        var n1 = NodeWithLog("n1", 0, Three);
        Assert.Equal(RaftRole.Follower, n1.Role);
        Assert.Null(n1.Leader);
    }

    // §5.2: "Leaders send periodic heartbeats ... to all followers in order to maintain their authority."
    [Fact]
    public void Section5_2_Leader_SendsHeartbeatToEveryFollowerEachHeartbeatTimeout()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.DropAll();
        net.Tick("n1");
        net.Flush();
        var beats = net.SentOfType<HeartbeatRequest>();
        Assert.Equal(["n2", "n3"], beats.Select(b => b.To).OrderBy(x => x));
        Assert.All(beats, b => Assert.Equal(net["n1"].Term, b.Term));
    }

    // §5.2: "If a follower receives no communication over a period of time called the election timeout, then it ...
    // increments its current term and transitions to candidate state. It then votes for itself and issues RequestVote RPCs."
    [Fact]
    public void Section5_2_Follower_StartsElectionAfterElectionTimeout()
    {
        var net = TestNetwork.Create(3);
        net.Tick("n1", 9);
        Assert.Equal(RaftRole.Follower, net["n1"].Role);
        net.Tick("n1");
        net.Flush();
        Assert.Equal(RaftRole.Candidate, net["n1"].Role);
        Assert.Equal(1, net["n1"].Term);
        Assert.Equal("n1", net.Disk("n1").HardState.VotedFor);
        Assert.Equal(["n2", "n3"], net.SentOfType<VoteRequest>().Select(v => v.To).OrderBy(x => x));
    }

    // §5.2: "If many followers become candidates at the same time, votes could be split ... each candidate will time out
    // and start a new election by incrementing its term."
    [Fact]
    public void Section5_2_Candidate_StartsNewElectionWhenItTimesOutAgain()
    {
        var net = TestNetwork.Create(3);
        net.Tick("n1", 10);
        Assert.Equal(1, net["n1"].Term);
        net.Tick("n1", 10);
        Assert.Equal(RaftRole.Candidate, net["n1"].Role);
        Assert.Equal(2, net["n1"].Term);
    }

    // §5.2: "A candidate wins an election if it receives votes from a majority of the servers in the full cluster for the same term."
    [Theory]
    [InlineData(1, 0, 0, RaftRole.Leader)]
    [InlineData(3, 1, 0, RaftRole.Leader)]
    [InlineData(3, 0, 1, RaftRole.Candidate)]
    [InlineData(3, 0, 2, RaftRole.Follower)]
    [InlineData(5, 2, 0, RaftRole.Leader)]
    [InlineData(5, 1, 2, RaftRole.Candidate)]
    [InlineData(5, 0, 3, RaftRole.Follower)]
    public void Section5_2_Candidate_WinsOnlyWithMajorityOfVotes(int voters, int granted, int rejected, RaftRole expected)
    {
        var ids = Enumerable.Range(1, voters).Select(i => $"n{i}").ToList();
        var n1 = NodeWithLog("n1", 0, RaftConfiguration.Of(ids));
        n1.Campaign();
        var others = ids.Skip(1).ToList();
        for (var i = 0; i < granted; i++) n1.Step(new VoteResponse(others[i], "n1", 1, true, false));
        for (var i = 0; i < rejected; i++) n1.Step(new VoteResponse(others[granted + i], "n1", 1, false, false));
        Assert.Equal(expected, n1.Role);
    }

    // §5.2: "Each server will vote for at most one candidate in a given term, on a first-come-first-served basis."
    [Fact]
    public void Section5_2_Follower_VotesForAtMostOneCandidatePerTerm()
    {
        var n1 = NodeWithLog("n1", 0, Three);
        n1.Step(new VoteRequest("n2", "n1", 1, 0, 0, false, false));
        n1.Step(new VoteRequest("n3", "n1", 1, 0, 0, false, false));
        n1.Step(new VoteRequest("n2", "n1", 1, 0, 0, false, false));
        var votes = Drain(n1).OfType<VoteResponse>().Select(v => (v.To, v.Granted)).ToList();
        Assert.Equal([("n2", true), ("n3", false), ("n2", true)], votes);
    }

    // §5.2: "If the leader's term is at least as large as the candidate's current term, then the candidate recognizes the
    // leader as legitimate and returns to follower state."
    [Fact]
    public void Section5_2_Candidate_FallsBackToFollowerOnAppendFromLeaderOfItsTerm()
    {
        var n1 = NodeWithLog("n1", 0, Three);
        n1.Campaign();
        Assert.Equal(RaftRole.Candidate, n1.Role);
        n1.Step(new AppendRequest("n2", "n1", 1, 0, 0, [], 0));
        Assert.Equal(RaftRole.Follower, n1.Role);
        Assert.Equal("n2", n1.Leader);
        Assert.Equal(1, n1.Term);
    }

    // §5.2: "Raft uses randomized election timeouts ... chosen randomly from a fixed interval (e.g., 150–300ms)."
    [Fact]
    public void Section5_2_ElectionTimeout_IsRandomizedBetweenOneAndTwoTimeouts()
    {
        var seen = new HashSet<int>();
        for (var seed = 0; seed < 200; seed++)
        {
            var options = TestNetwork.Options("n1") with { Random = new Kahuna.Tests.Raft.Simulation.SimRandom(seed) };
            var n1 = new RaftNode(options, RaftStorageState.Bootstrap(Three));
            var ticks = 0;
            while (n1.Role == RaftRole.Follower) { n1.Tick(); ticks++; }
            Assert.InRange(ticks, 10, 19);
            seen.Add(ticks);
        }
        Assert.True(seen.Count > 5, "timeouts should spread over the interval");
    }

    // §5.3: "The leader appends the command to its log as a new entry, then issues AppendEntries RPCs in parallel to each of the other servers."
    [Fact]
    public void Section5_3_Leader_AppendsProposalAndSendsItToEveryFollower()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.DropAll();
        var result = net["n1"].Propose(Encoding.UTF8.GetBytes("cmd"));
        net.Flush();
        Assert.True(result.Accepted);
        var appends = net.SentOfType<AppendRequest>();
        Assert.Equal(["n2", "n3"], appends.Select(a => a.To).OrderBy(x => x));
        Assert.All(appends, a => Assert.Equal("cmd", TestNetwork.Text(a.Entries.Single())));
    }

    // §5.3: "A log entry is committed once the leader that created the entry has replicated it on a majority of the servers."
    [Fact]
    public void Section5_3_Leader_CommitsOnceAMajorityHoldsTheEntry()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.Cut("n1", "n3");
        var r = net.Propose("n1", "cmd");
        Assert.Equal(r.Index, net["n1"].CommitIndex);
        Assert.Contains(net.Applied["n1"], e => TestNetwork.Text(e) == "cmd");
    }

    [Fact]
    public void Section5_3_Leader_DoesNotCommitWithoutAMajority()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        var before = net["n1"].CommitIndex;
        net.Isolate("n1");
        net.Propose("n1", "cmd");
        Assert.Equal(before, net["n1"].CommitIndex);
    }

    // §5.3: "This also commits all preceding entries in the leader's log, including entries created by previous leaders."
    [Fact]
    public void Section5_3_CommittingAnEntry_CommitsEveryPrecedingEntry()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.Isolate("n1");
        net.Propose("n1", "a");
        net.Propose("n1", "b");
        var before = net["n1"].CommitIndex;
        net.Heal();
        var c = net.Propose("n1", "c");
        Assert.Equal(c.Index, net["n1"].CommitIndex);
        Assert.Equal(["a", "b", "c"], net.Applied["n1"].Where(e => e.Index > before).Select(TestNetwork.Text));
    }

    // §5.3: "Once a follower learns that a log entry is committed, it applies the entry to its local state machine (in log order)."
    [Fact]
    public void Section5_3_Follower_AppliesWhatTheLeaderCommitted()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.Propose("n1", "a");
        net.Propose("n1", "b");
        net.Tick("n1");
        net.Stabilize();
        Assert.Equal(["a", "b"], net.Applied["n2"].Where(e => e.Data.Length > 0).Select(TestNetwork.Text));
        Assert.Equal(net["n1"].CommitIndex, net["n2"].CommitIndex);
    }

    // §5.3: "If the follower does not find an entry in its log with the same index and term, then it refuses the new entries."
    [Theory]
    [InlineData(1, 1, true)]
    [InlineData(2, 2, true)]
    [InlineData(2, 1, false)]
    [InlineData(3, 2, false)]
    public void Section5_3_Follower_ChecksThePrecedingEntry(long prevIndex, long prevTerm, bool accepted)
    {
        var n1 = NodeWithLog("n1", 2, Three, E(1, 1), E(2, 2));
        n1.Step(new AppendRequest("n2", "n1", 2, prevIndex, prevTerm, [E(prevIndex + 1, 2)], 0));
        var response = Drain(n1).OfType<AppendResponse>().Single();
        Assert.Equal(accepted, response.Success);
    }

    // §5.3: "If an existing entry conflicts with a new one (same index but different terms), delete the existing entry and
    // all that follow it; append any new entries not already in the log."
    [Fact]
    public void Section5_3_Follower_ReplacesConflictingTailWithLeadersEntries()
    {
        var n1 = NodeWithLog("n1", 2, Three, E(1, 1, "a"), E(2, 1, "b"), E(3, 1, "c"));
        n1.Step(new AppendRequest("n2", "n1", 3, 1, 1, [E(2, 3, "B"), E(3, 3, "C"), E(4, 3, "D")], 0));
        var rd = n1.GetReady();
        Assert.Equal([2L, 3, 4], rd.Entries.Select(e => e.Index));
        Assert.Equal(["B", "C", "D"], rd.Entries.Select(TestNetwork.Text));
        Assert.True(rd.MustSync);
        n1.Advance(rd);
        Assert.Equal(4, n1.LastIndex);
    }

    // §5.3, Figure 7: "the leader must find the latest log entry where the two logs agree ... and send the follower all of the
    // leader's entries after that point." Followers missing entries, holding extra ones, or both, end up identical.
    [Fact]
    public void Section5_3_Leader_BringsDivergentFollowersIntoAgreement()
    {
        var config = RaftConfiguration.Of(["n1", "n2", "n3", "n4"]);
        var net = new TestNetwork();
        LogEntry[] leaderLog = [E(1, 1), E(2, 1), E(3, 4), E(4, 4), E(5, 5), E(6, 6)];
        net.Add("n1", new RaftStorageState(new HardState(6, null, 0), new SnapshotMetadata(0, 0, config), leaderLog));
        net.Add("n2", new RaftStorageState(new HardState(4, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1), E(2, 1), E(3, 4)]));
        net.Add("n3", new RaftStorageState(new HardState(3, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1), E(2, 1), E(3, 2), E(4, 2), E(5, 3), E(6, 3), E(7, 3)]));
        net.Add("n4", new RaftStorageState(new HardState(6, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1), E(2, 1), E(3, 4), E(4, 4), E(5, 5), E(6, 6)]));
        net.Campaign("n1");
        Assert.True(net["n1"].IsLeader);
        net.Propose("n1", "new");
        static List<(long, long)> Log(RaftNode n) =>
            Enumerable.Range(1, (int)n.LastIndex).Select(i => n.EntryAt(i)!).Select(e => (e.Index, e.Term)).ToList();
        var expected = Log(net["n1"]);
        Assert.Equal(8, expected.Count);
        foreach (var id in new[] { "n2", "n3", "n4" })
            Assert.Equal(expected, Log(net[id]));
    }

    // §5.4.1: "the voter denies its vote if its own log is more up-to-date than that of the candidate ... If the logs have last
    // entries with different terms, then the log with the later term is more up-to-date. If the logs end with the same term,
    // then whichever log is longer is more up-to-date."
    [Theory]
    [InlineData(2, 3, true)]   // same last term, longer candidate log
    [InlineData(2, 2, true)]   // identical
    [InlineData(2, 1, false)]  // same term, shorter
    [InlineData(3, 1, true)]   // later term wins even when shorter
    [InlineData(1, 5, false)]  // earlier term loses even when longer
    public void Section5_4_1_Voter_GrantsOnlyToAtLeastAsUpToDateLog(long candidateLastTerm, long candidateLastIndex, bool granted)
    {
        var n1 = NodeWithLog("n1", 2, Three, E(1, 1), E(2, 2));
        n1.Step(new VoteRequest("n2", "n1", 5, candidateLastIndex, candidateLastTerm, false, false));
        Assert.Equal(granted, Drain(n1).OfType<VoteResponse>().Single().Granted);
    }

    // §5.4.2, Figure 8: "Raft never commits log entries from previous terms by counting replicas. Only log entries from the
    // leader's current term are committed by counting replicas."
    [Fact]
    public void Section5_4_2_Leader_DoesNotCommitOldTermEntryByCountingReplicas()
    {
        var config = RaftConfiguration.Of(["n1", "n2", "n3"]);
        var net = new TestNetwork();
        // n1 holds an entry of term 2 that no one else has; it becomes leader of term 3 with n2's vote.
        net.Add("n1", new RaftStorageState(new HardState(2, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1), E(2, 2, "old")]));
        net.Add("n2", new RaftStorageState(new HardState(2, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1)]));
        net.Add("n3", new RaftStorageState(new HardState(2, null, 0), new SnapshotMetadata(0, 0, config), [E(1, 1)]));
        net["n1"].Campaign();
        net.Flush();
        // Deliver only the votes, then let n1 replicate "old" to n2 but not yet its own no-op.
        net["n2"].Step(net.SentOfType<VoteRequest>().First(v => v.To == "n2"));
        net.Flush();
        net["n1"].Step(net.SentOfType<VoteResponse>().First(v => v.From == "n2"));
        Assert.True(net["n1"].IsLeader);
        net.Flush();
        var append = net.SentOfType<AppendRequest>().Last(a => a.To == "n2");
        // Pretend n2 acknowledged index 2 only (the old-term entry), as if the no-op were lost.
        net["n1"].Step(new AppendResponse("n2", "n1", net["n1"].Term, true, 2, 0, 0));
        Assert.True(net["n1"].CommitIndex < 2, "an old-term entry on a majority must not be committed by counting");
        // Once the leader's own-term entry (index 3) reaches the majority, everything before it commits.
        net["n1"].Step(new AppendResponse("n2", "n1", net["n1"].Term, true, 3, 0, 0));
        Assert.Equal(3, net["n1"].CommitIndex);
        _ = append;
    }

    // §5.5: "If a follower or candidate crashes ... Raft handles these failures by retrying indefinitely."
    [Fact]
    public void Section5_5_Leader_KeepsRetryingAnUnreachableFollowerUntilItAnswers()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        net.Isolate("n3");
        net.Propose("n1", "a");
        net.Propose("n1", "b");
        Assert.NotEqual(net["n1"].LastIndex, net["n3"].LastIndex);
        net.Heal();
        net.Tick("n1");
        net.Stabilize();
        Assert.Equal(net["n1"].LastIndex, net["n3"].LastIndex);
    }

    // §8: "each leader commit a blank no-op entry into the log at the start of its term."
    [Fact]
    public void Section8_NewLeader_CommitsANoOpOfItsTerm()
    {
        var net = TestNetwork.Create(3);
        net.Campaign("n1");
        var last = net.Disk("n1").Entries[^1];
        Assert.Equal(net["n1"].Term, last.Term);
        Assert.Equal(0, last.Data.Length);
        Assert.Equal(last.Index, net["n1"].CommitIndex);
    }
}
