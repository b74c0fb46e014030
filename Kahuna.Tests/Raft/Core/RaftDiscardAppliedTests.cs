using Kahuna.Tests.Raft.Core.Harness;
using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary><c>DiscardAppliedKeeping</c>: the short tail of applied entries a host keeps in memory.</summary>
public class RaftDiscardAppliedTests
{
    private static TestNetwork ElectedWithEntries(int entries, string? isolated = null)
    {
        var net = TestNetwork.Elected(3);
        if (isolated is not null) net.Isolate(isolated);
        for (var i = 0; i < entries; i++) net.Propose("n1", $"e{i}");
        return net;
    }

    [Fact]
    public void AFollowerKeepsTheLastRetainedOfWhatItApplied()
    {
        var net = ElectedWithEntries(30);
        var follower = net["n2"];
        Assert.Equal(1, follower.FirstIndex);

        follower.DiscardAppliedKeeping(5);

        Assert.Equal(follower.AppliedIndex - 5 + 1, follower.FirstIndex);
    }

    [Fact]
    public void ALeaderKeepsEverythingAReplicaStillLacks()
    {
        var net = ElectedWithEntries(30, isolated: "n3");
        var leader = net["n1"];
        var lagging = leader.MatchedByAll;
        Assert.True(leader.AppliedIndex > lagging + 10, "n3 should lag behind what the leader applied");

        leader.DiscardAppliedKeeping(5);

        // Nothing n3 still needs is dropped: the log starts at or below the entry after its match.
        Assert.True(leader.FirstIndex <= lagging + 1, $"first {leader.FirstIndex}, n3 holds up to {lagging}");

        net.Heal();
        for (var i = 0; i < 3; i++) net.Propose("n1", $"after{i}");
        leader.DiscardAppliedKeeping(5);
        Assert.Equal(leader.AppliedIndex - 5 + 1, leader.FirstIndex);
    }

    [Fact]
    public void DropsInStepsAndZeroKeepsEverything()
    {
        var net = ElectedWithEntries(30);
        var follower = net["n2"];

        follower.DiscardAppliedKeeping(0);
        Assert.Equal(1, follower.FirstIndex);

        // Not yet twice the tail applied beyond what is kept: nothing moves.
        follower.DiscardAppliedKeeping(16);
        Assert.Equal(1, follower.FirstIndex);
    }
}
