using System.Diagnostics;
using Kahuna.Tests.Reliability.Checkers.Fixtures;
using Kahuna.Tests.Reliability.History;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Reliability.Checkers;

public class RegisterRandomizedTests(ITestOutputHelper output)
{
    private static readonly RegisterLinearizabilityChecker Checker = new();

    [Fact]
    public void GeneratedFromASequentialModel_IsValid_AndOneBadReadMakesItInvalid()
    {
        var settings = new RegisterHistoryGenerator.Settings(Keys: 3, ProcessesPerKey: 4, OperationsPerKey: 150, InfoRate: 0.05);
        int stale = 0, flipFlops = 0, refutedBySearch = 0;
        for (int seed = 1; seed <= 40; seed++)
        {
            var history = RegisterHistoryGenerator.Generate(seed, settings);

            var valid = Checker.Check(history);
            HistoryArtifacts.Default.AssertValid(nameof(GeneratedFromASequentialModel_IsValid_AndOneBadReadMakesItInvalid), seed, history, valid);

            if (RegisterHistoryGenerator.MutateToStaleRead(history, seed) is var (staleHistory, staleIndex))
            {
                AssertInvalidAt(Checker.Check(staleHistory), staleHistory, staleIndex, seed);
                stale++;
            }
            // Each flip-flop is invalid by construction; prefer one the precheck cannot see, so the search must refute it.
            foreach (var (flipHistory, flipIndex) in RegisterHistoryGenerator.FlipFlops(history, seed).Take(20))
            {
                var result = Checker.Check(flipHistory);
                AssertInvalidAt(result, flipHistory, flipIndex, seed);
                flipFlops++;
                if (result.Has(AnomalyKind.NotLinearizable))
                {
                    refutedBySearch++;
                    break;
                }
            }
        }
        Assert.True(stale >= 30 && flipFlops >= 30, $"only {stale} stale-read and {flipFlops} flip-flop mutations in 40 histories");
        Assert.True(refutedBySearch >= 20, $"only {refutedBySearch} flip-flops needed the search; the test no longer exercises it");
    }

    private static void AssertInvalidAt(RegisterCheckResult result, List<HistoryOperation> history, int index, int seed)
    {
        Assert.True(result.Outcome == CheckOutcome.Invalid, $"seed {seed}: bad read at #{index} not found\n{result.Describe()}");
        Assert.Equal(CheckOutcome.Invalid, result[history[index].Key!].Outcome);
    }

    [Fact]
    public void SmallRandomHistories_AgreeWithBruteForce()
    {
        var checker = new RegisterLinearizabilityChecker(new RegisterCheckOptions { MinimumOkWrites = 0, MinimumObservedReads = 0 });
        int valid = 0, invalid = 0, refutedBySearch = 0;
        for (int seed = 0; seed < 3000; seed++)
        {
            var history = SmallArbitraryHistory(new Random(seed));
            bool expected = BruteForceIsLinearizable(history);

            var result = checker.Check(history);

            Assert.True(result.Outcome != CheckOutcome.Unknown, $"seed {seed}: {result.Describe()}");
            Assert.True(expected == result.IsValid,
                $"seed {seed}: brute force says {(expected ? "valid" : "invalid")}\n{result.Describe()}\n{string.Join("\n", history)}");
            if (expected) valid++; else invalid++;
            if (result.Has(AnomalyKind.NotLinearizable)) refutedBySearch++;
        }
        // Both verdicts must be well represented, and the search (not only the precheck) must do some refuting.
        Assert.True(valid > 500 && invalid > 500 && refutedBySearch > 200, $"valid {valid}, invalid {invalid}, by search {refutedBySearch}");
    }

    [Fact]
    public void TenThousandOperationsOverFourKeys_CheckInLinearSearchSteps()
    {
        var settings = new RegisterHistoryGenerator.Settings(Keys: 4, ProcessesPerKey: 6, OperationsPerKey: 2500, InfoRate: 0.02);
        var history = RegisterHistoryGenerator.Generate(seed: 7, settings);
        var clock = Stopwatch.StartNew();

        var result = Checker.Check(history);

        output.WriteLine($"{history.Count} operations checked in {clock.ElapsedMilliseconds} ms");
        foreach (var k in result.Keys)
            output.WriteLine($"  {k.Key}: {k.OkOperations} ok, {k.InfoOperationsSearched} info searched, {k.InfoOperationsDropped} dropped, {k.SearchSteps} steps, {k.Elapsed.TotalMilliseconds:F1} ms");
        HistoryArtifacts.Default.AssertValid(nameof(TenThousandOperationsOverFourKeys_CheckInLinearSearchSteps), 7, history, result);
        // Steps, not wall time, so the bound holds on a busy machine: a valid history must not make the search wander.
        Assert.All(result.Keys, k => Assert.True(k.SearchSteps < 20L * (k.OkOperations + k.InfoOperationsSearched), $"{k.Key}: {k.SearchSteps} steps"));
    }

    /// <summary>Up to 7 operations with tiny value and time domains, random results and statuses: about half are invalid.</summary>
    private static List<HistoryOperation> SmallArbitraryHistory(Random random)
    {
        var history = new List<HistoryOperation>();
        int count = random.Next(1, 8);
        long? AnyValue() => random.Next(4) is 0 ? null : random.Next(1, 4);
        for (int i = 0; i < count; i++)
        {
            int invoke = random.Next(0, 7);
            int complete = invoke + random.Next(0, 4);
            var status = random.Next(10) switch { < 7 => OperationStatus.Ok, < 9 => OperationStatus.Info, _ => OperationStatus.Fail };
            var op = random.Next(4) switch
            {
                0 => HistoryOperation.Read(i, "k") with { Value = AnyValue() },
                1 => HistoryOperation.Write(i, "k", random.Next(1, 4)),
                2 => HistoryOperation.Cas(i, "k", AnyValue(), random.Next(1, 4)),
                _ => HistoryOperation.Delete(i, "k"),
            };
            history.Add(op.At(invoke, status == OperationStatus.Info ? null : complete, status));
        }
        return history.OrderBy(o => o.Invoke).ToList();
    }

    /// <summary>
    /// The definition, enumerated: some order of all ok operations and any subset of info ones (fail ones dropped)
    /// respects real time (nothing goes before an ok operation that completed before it was invoked) and the
    /// sequential register. No memoization, pruning or dropping, so it shares no shortcut with the checker.
    /// </summary>
    private static bool BruteForceIsLinearizable(List<HistoryOperation> history)
    {
        var ops = history.Where(o => !o.IsFail && !(o.IsInfo && o.F == OperationFunction.Read)).ToList();
        var done = new bool[ops.Count];

        bool Search(long? state, int okLeft)
        {
            if (okLeft == 0) return true;
            double deadline = Enumerable.Range(0, ops.Count).Where(i => !done[i] && ops[i].IsOk).Min(i => ops[i].Complete!.Value);
            for (int i = 0; i < ops.Count; i++)
            {
                if (done[i] || ops[i].Invoke > deadline) continue;
                var op = ops[i];
                long? next = state;
                switch (op.F)
                {
                    case OperationFunction.Read when op.Value != state: continue;
                    case OperationFunction.Write: next = op.Value; break;
                    case OperationFunction.Delete: next = null; break;
                    case OperationFunction.Cas when op.Expected != state: continue;
                    case OperationFunction.Cas: next = op.Value; break;
                }
                done[i] = true;
                bool found = Search(next, okLeft - (op.IsOk ? 1 : 0));
                done[i] = false;
                if (found) return true;
            }
            return false;
        }

        return Search(null, ops.Count(o => o.IsOk));
    }
}
