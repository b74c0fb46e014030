using Xunit;
using static Kahuna.Tests.Reliability.Checkers.Fixtures.Ops;

namespace Kahuna.Tests.Faults.Support;

/// <summary>The lost-write count of the fault runs: a final read must be explained by a write (or delete) not certainly overwritten.</summary>
public class LostWritesTests
{
    [Fact]
    public void AFinalReadOfTheLastAcknowledgedValue_LosesNothing() =>
        Assert.Empty(LostWrites.Find([Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 3), Read(1, "k", 2, 4, 5)], [2]));

    [Fact]
    public void AFinalReadOfAnOverwrittenValue_IsALostWrite()
    {
        var lost = LostWrites.Find([Write(0, "k", 1, 0, 1), Write(0, "k", 2, 2, 3), Read(1, "k", 1, 4, 5)], [2]);

        Assert.Contains("final read #2 saw 1", Assert.Single(lost));
    }

    [Fact]
    public void FindingNothingAfterAnAcknowledgedDelete_LosesNothing_AndAValueAfterItsRecreationNeither()
    {
        Assert.Empty(LostWrites.Find([Write(0, "k", 1, 0, 1), Delete(0, "k", 2, 3), Read(1, "k", null, 4, 5)], [2]));
        Assert.Empty(LostWrites.Find([Write(0, "k", 1, 0, 1), Delete(0, "k", 2, 3), Write(0, "k", 2, 4, 5), Read(1, "k", 2, 6, 7)], [3]));
    }

    [Fact]
    public void FindingNothing_WhenAWriteFollowedTheDelete_IsALostWrite_AndSoIsAValueTheDeleteRemoved()
    {
        var recreatedLost = LostWrites.Find([Delete(0, "k", 0, 1), Write(0, "k", 2, 2, 3), Read(1, "k", null, 4, 5)], [2]);
        var deletedValueBack = LostWrites.Find([Write(0, "k", 1, 0, 1), Delete(0, "k", 2, 3), Read(1, "k", 1, 4, 5)], [2]);

        Assert.Contains("saw nothing", Assert.Single(recreatedLost));
        Assert.Contains("the acknowledged delete of absent", Assert.Single(deletedValueBack));
    }
}
