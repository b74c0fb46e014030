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
}
