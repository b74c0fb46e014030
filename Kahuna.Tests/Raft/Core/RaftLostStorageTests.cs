using System.Text;
using Kahuna.Raft;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>
/// Raft assumes a replica never loses what it persisted. A disk that lies about fsync, or a journal whose tail was
/// torn off, breaks that: the restarted replica holds less than, or something older than, what it acknowledged.
/// The leader must not mark entries committed on it that it does not hold (the replica used to crash on every
/// heartbeat), and must replicate again from what the replica still agrees on.
/// </summary>
public sealed class RaftLostStorageTests
{
    private static TestNetwork Elected() => TestNetwork.Elected(3);

    [Fact]
    public void FollowerThatLostItsTail_IsNotToldToCommitWhatItLacks_AndCatchesUpFromTheLeader()
    {
        var net = Elected();
        for (var i = 0; i < 3; i++) net.Propose("n1", $"early{i}");
        var torn = net.Disk("n3").Load();
        for (var i = 0; i < 5; i++) net.Propose("n1", $"late{i}");
        Assert.Equal(net["n1"].LastIndex, net["n3"].LastIndex);

        // n3 restarts from the older state: the leader still believes it holds everything.
        net.Add("n3", torn);
        Assert.True(net["n3"].LastIndex < net["n1"].CommitIndex);
        net.Tick("n1");
        net.Stabilize();

        Assert.Equal(net["n1"].LastIndex, net["n3"].LastIndex);
        Assert.Equal(net["n1"].CommitIndex, net["n3"].CommitIndex);
        // A restarted replica applies its log again from the start: it must apply exactly the leader's entries.
        Assert.Equal(Texts(net.Applied["n1"]), Texts(net.Applied["n3"]));
        // And it still counts towards the quorum afterwards.
        net.Isolate("n2");
        Assert.True(net.Propose("n1", "after").Accepted);
        Assert.Equal(net["n1"].LastIndex, net["n1"].CommitIndex);
        net.Tick("n1");
        net.Stabilize();
        Assert.Equal(net["n1"].LastIndex, net["n3"].CommitIndex);
    }

    [Fact]
    public void FollowerRolledBackToEntriesThatWereLaterReplaced_NeverCommitsThem()
    {
        var net = Elected();
        net.Propose("n1", "a");
        var firstTerm = net["n1"].Term;
        var commonIndex = net["n1"].LastIndex;
        // n2 takes over in a new term and writes past where n3's stale entries will end.
        foreach (var n in net.Nodes.ToList()) net.Tick(n.Id, 10);
        net.Campaign("n2");
        Assert.True(net["n2"].IsLeader);
        for (var i = 0; i < 4; i++) net.Propose("n2", $"new{i}");
        var leaderLast = net["n2"].LastIndex;
        Assert.Equal(leaderLast, net["n3"].LastIndex);

        // n3's journal rolls back to a state in which it held entries of the first term that never committed.
        var real = net.Disk("n3").Load();
        var stale = real.Entries.Where(e => e.Index <= commonIndex).ToList();
        for (var index = commonIndex + 1; index <= leaderLast; index++)
            stale.Add(new LogEntry(index, firstTerm, Encoding.UTF8.GetBytes($"stale{index}")));
        var rolledBack = new RaftStorageState(real.HardState with { Commit = commonIndex }, real.Snapshot, stale);
        net.Add("n3", rolledBack);

        net.Tick("n2");
        net.Stabilize();

        Assert.DoesNotContain(net.Applied["n3"], e => Texts([e])[0].StartsWith("stale", StringComparison.Ordinal));
        Assert.Equal(Texts(net.Applied["n1"]), Texts(net.Applied["n3"]));
        Assert.Equal(net["n2"].CommitIndex, net["n3"].CommitIndex);
    }

    [Fact]
    public void ReplicaThatLostAcknowledgedEntries_WithholdsItsVote_UntilALeaderHasSentThemAgain()
    {
        var (net, _, lost) = N3LostItsTail();
        var n3 = net["n3"];
        Assert.True(n3.MissesCommittedEntries);
        Assert.Equal(lost.HardState.Commit, n3.Status().LostEntriesUpTo);

        // A candidate whose log is exactly as long as what n3 kept would otherwise win n3's (pre-)vote: it may lack them.
        n3.Step(LikeItsOwnLog(n3, preVote: true));
        Assert.Contains(Answers(n3), m => m is VoteResponse { Granted: false, PreVote: true });
        // Nor does it campaign itself, however long it hears nothing.
        var term = n3.Term;
        net.Tick("n3", 60);
        Assert.Equal(RaftRole.Follower, n3.Role);
        Assert.Equal(term, n3.Term);
        Assert.DoesNotContain(Answers(n3), m => m is VoteRequest);

        net.Tick("n1");
        net.Stabilize();
        Assert.Equal(net["n1"].LastIndex, n3.LastIndex);
        Assert.False(n3.MissesCommittedEntries);
        Assert.Equal(0, n3.Status().LostEntriesUpTo);
        n3.Step(LikeItsOwnLog(n3, preVote: true));
        Assert.Contains(Answers(n3), m => m is VoteResponse { Granted: true, PreVote: true });
    }

    [Fact]
    public void ReplicaThatLostAcknowledgedEntries_VotesOnlyForACandidateThatMustHoldThem()
    {
        var (net, full, _) = N3LostItsTail();
        var n3 = net["n3"];
        var term = n3.Term;
        // A candidate holding only what n3 kept: refused, and no vote recorded.
        n3.Step(LikeItsOwnLog(n3, preVote: false));
        Assert.Contains(Answers(n3), m => m is VoteResponse { Granted: false, PreVote: false });
        Assert.Null(n3.HardState.VotedFor);
        // A candidate whose last entry is of the recorded term and at or past the recorded commit index holds them.
        n3.Step(new VoteRequest("n2", "n3", term + 1, full.HardState.Commit, full.HardState.Term, PreVote: false, Transfer: false));
        Assert.Contains(Answers(n3), m => m is VoteResponse { Granted: true, PreVote: false });
        Assert.Equal("n2", n3.HardState.VotedFor);
        Assert.True(n3.MissesCommittedEntries); // still: it has not got them back yet
    }

    [Fact]
    public void ReplicaThatLostAcknowledgedEntries_StillKnowsAfterPersistingAVoteAndRestarting()
    {
        var (net, full, lost) = N3LostItsTail();
        var n3 = net["n3"];
        n3.Step(new VoteRequest("n2", "n3", n3.Term + 1, full.HardState.Commit, full.HardState.Term, PreVote: false, Transfer: false));
        var rd = n3.GetReady();
        n3.Advance(rd);
        // The vote is written with the commit index recorded before, not the lower one the replica can vouch for now.
        Assert.Equal(lost.HardState.Commit, rd.HardState!.Value.Commit);
        net.Add("n3", lost with { HardState = rd.HardState.Value });
        Assert.True(net["n3"].MissesCommittedEntries);
    }

    [Fact]
    public void VoteDespiteLostEntries_LetsAnOperatorAcceptTheLoss()
    {
        var (net, _, _) = N3LostItsTail(o => o with { VoteDespiteLostEntries = true });
        var n3 = net["n3"];
        Assert.False(n3.MissesCommittedEntries);
        n3.Step(LikeItsOwnLog(n3, preVote: false));
        Assert.Contains(Answers(n3), m => m is VoteResponse { Granted: true });
    }

    [Fact]
    public void VoteDespiteLostEntries_IsOffByDefault_AndReadFromConfiguration()
    {
        static RaftOptions Options(string hocon) => RaftSettings
            .Create(Akka.Configuration.ConfigurationFactory.ParseString(hocon).WithFallback(RaftSettings.DefaultConfig()).GetConfig("kahuna.raft"))
            .ToOptions("n1", new FixedRandom());
        Assert.False(Options("").VoteDespiteLostEntries);
        Assert.True(Options("kahuna.raft.vote-despite-lost-entries = on").VoteDespiteLostEntries);
    }

    [Fact]
    public void LoneVoterThatLostEntries_CarriesOn_ForNobodyCouldGiveThemBack()
    {
        var net = TestNetwork.Elected(1);
        for (var i = 0; i < 5; i++) net.Propose("n1", $"w{i}");
        net.Add("n1", LostTail(net.Disk("n1").Load(), 3));
        Assert.False(net["n1"].MissesCommittedEntries);
        net.Tick("n1", 30);
        net.Stabilize();
        Assert.True(net["n1"].IsLeader);
    }

    /// <summary>A three-replica group after five writes, with n3 restarted from <see cref="LostTail"/> (3 entries lost).</summary>
    private static (TestNetwork Net, RaftStorageState Full, RaftStorageState Lost) N3LostItsTail(Func<RaftOptions, RaftOptions>? tweak = null)
    {
        var net = Elected();
        for (var i = 0; i < 5; i++) net.Propose("n1", $"w{i}");
        var full = net.Disk("n3").Load();
        var lost = LostTail(full, 3);
        net.Add("n3", lost, tweak);
        return (net, full, lost);
    }

    /// <summary>n2 asking for <paramref name="replica"/>'s vote in the next term with a log exactly as long as the replica's own.</summary>
    private static VoteRequest LikeItsOwnLog(RaftNode replica, bool preVote) =>
        new("n2", replica.Id, replica.Term + 1, replica.LastIndex, replica.EntryAt(replica.LastIndex)!.Term, preVote, Transfer: false);

    /// <summary>
    /// The state a replica finds after its journal lost the last <paramref name="lost"/> entries it had recorded as
    /// committed (a disk that acknowledged writes it never made durable): the recorded commit index survives.
    /// </summary>
    private static RaftStorageState LostTail(RaftStorageState full, int lost)
    {
        var keepUpTo = full.HardState.Commit - lost;
        Assert.True(keepUpTo > full.Snapshot.Index, $"recorded commit {full.HardState.Commit} too low for the test");
        return full with { Entries = full.Entries.Where(e => e.Index <= keepUpTo).ToList() };
    }

    /// <summary>What a replica sends after the steps so far (its Ready done as a host would).</summary>
    private static IReadOnlyList<RaftMessage> Answers(RaftNode replica)
    {
        if (!replica.HasReady()) return [];
        var rd = replica.GetReady();
        replica.Advance(rd);
        return rd.Messages;
    }

    private static List<string> Texts(IEnumerable<LogEntry> entries) =>
        entries.Select(e => $"{e.Index}/{e.Term}/{TestNetwork.Text(e)}").ToList();
}
