using System.Text;
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

    private static List<string> Texts(IEnumerable<LogEntry> entries) =>
        entries.Select(e => $"{e.Index}/{e.Term}/{TestNetwork.Text(e)}").ToList();
}
