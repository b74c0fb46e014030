using Kahuna.Tests.Reliability.Checkers.Fixtures;
using Kahuna.Tests.Reliability.History;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Reliability.Checkers;

public class LockCheckerSimulationTests(ITestOutputHelper output)
{
    private static readonly LockChecker Checker = new();

    [Fact]
    public void CorrectServer_WithTimeoutsRetriesAndExpiries_IsAlwaysValid()
    {
        for (int seed = 1; seed <= 30; seed++)
        {
            var history = LockHistorySimulator.Run(seed, processes: 5, cyclesPerProcess: 30);

            var result = Checker.Check(history);

            HistoryArtifacts.Default.AssertValid(nameof(CorrectServer_WithTimeoutsRetriesAndExpiries_IsAlwaysValid), seed, history, result);
            if (seed == 1) output.WriteLine(result.Describe());
            Assert.True(result.Counts["info_acquires"] > 0 && result.Counts["certain_holds"] >= 25, result.Describe());
        }
    }

    [Theory]
    [InlineData(LockHistorySimulator.ServerBug.IgnoresHolder, AnomalyKind.MutualExclusion)]
    [InlineData(LockHistorySimulator.ServerBug.ReusesToken, AnomalyKind.FencingTokenReused)]
    public void BuggyServer_IsCaughtInMostRuns(LockHistorySimulator.ServerBug bug, AnomalyKind expected)
    {
        int caught = 0;
        for (int seed = 1; seed <= 30; seed++)
        {
            var result = Checker.Check(LockHistorySimulator.Run(seed, processes: 5, cyclesPerProcess: 30, bug));
            if (result.Has(expected)) caught++;
        }
        Assert.True(caught >= 25, $"caught in only {caught} of 30 runs");
        output.WriteLine($"{bug}: caught in {caught} of 30 runs");
    }
}
