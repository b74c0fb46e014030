using Akka.Configuration;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Xunit;

namespace Kahuna.Tests.Raft.Actors;

public sealed class CheckpointGateTests
{
    [Fact]
    public void AtMostCapacityHolders_AHolderMayEnterAgain_AndExitFreesItsPlace()
    {
        var gate = new CheckpointGate(2);

        Assert.True(gate.TryEnter("a"));
        Assert.True(gate.TryEnter("b"));
        Assert.False(gate.TryEnter("c"));
        Assert.True(gate.TryEnter("a"));   // a replica that already holds a place keeps it (one place, not two)
        Assert.Equal(2, gate.Holders);

        gate.Exit("a");
        gate.Exit("nobody");               // harmless: a replica that stops without a checkpoint gives back nothing
        Assert.True(gate.TryEnter("c"));
        Assert.False(gate.TryEnter("a"));
        Assert.Equal(2, gate.Holders);
    }

    [Fact]
    public void TheSetting_DefaultsToOneAtATime_AndRefusesZero()
    {
        RaftSettings Read(string hocon) =>
            RaftSettings.Create(ConfigurationFactory.ParseString(hocon).WithFallback(RaftSettings.DefaultConfig().GetConfig("kahuna.raft")));

        Assert.Equal(1, Read("").MaxConcurrentCheckpoints);
        Assert.Equal(3, Read("max-concurrent-checkpoints = 3").MaxConcurrentCheckpoints);
        var error = Assert.Throws<ConfigurationException>(() => Read("max-concurrent-checkpoints = 0"));
        Assert.Contains("max-concurrent-checkpoints must be at least 1", error.Message);
    }
}
