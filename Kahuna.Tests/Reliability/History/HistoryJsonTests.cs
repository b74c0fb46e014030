using Kahuna.Tests.Reliability.Checkers;
using Kahuna.Tests.Support;
using Xunit;

namespace Kahuna.Tests.Reliability.History;

public class HistoryJsonTests
{
    [Fact]
    public void Lines_HaveTheDocumentedShape()
    {
        var cas = HistoryOperation.Cas(3, "k1", 2, 4).At(1.25, 1.2625);
        var absentRead = HistoryOperation.Read(1, "k1").At(2, null, OperationStatus.Info);
        var acquire = HistoryOperation.Acquire(0, "jepsen/lock", "p0-c1", 1000).At(0.5, 0.75) with { Token = 7 };

        Assert.Equal("""{"process":3,"f":"cas","key":"k1","invoke":1.25,"complete":1.2625,"status":"ok","value":4,"expected":2}""", HistoryJson.Serialize(cas));
        Assert.Equal("""{"process":1,"f":"read","key":"k1","invoke":2,"complete":null,"status":"info","value":null}""", HistoryJson.Serialize(absentRead));
        Assert.Equal("""{"process":0,"f":"acquire","key":"jepsen/lock","invoke":0.5,"complete":0.75,"status":"ok","owner":"p0-c1","token":7,"lease_ms":1000}""",
            HistoryJson.Serialize(acquire));
    }

    [Fact]
    public void EveryWorkload_RoundTrips()
    {
        HistoryOperation[] history =
        [
            HistoryOperation.Read(0, "k").At(0, 1) with { Value = 5 },
            HistoryOperation.Read(0, "k").At(1, 2),
            HistoryOperation.Write(1, "k", 6).At(0.1, 0.2, OperationStatus.Fail) with { Error = "NotLeader" },
            HistoryOperation.Cas(2, "k", null, 1).At(0.3, null, OperationStatus.Info),
            HistoryOperation.Delete(3, "k").At(0.4, 0.5),
            HistoryOperation.Acquire(4, "r", "o", 300).At(1, 1.5) with { Token = 0 },
            HistoryOperation.Release(4, "r", "o").At(2, 2.5),
            HistoryOperation.Next(5, "s").At(3, 3.5) with { Value = long.MaxValue },
            HistoryOperation.Range(5, "s", 10).At(4, 4.5) with { Start = -3 },
            HistoryOperation.Transfer(6, "bank", "a", "b", 7).At(5, 5.5),
            HistoryOperation.ReadAll(6, "bank").At(6, 1e-9 + 6) with { Balances = new Dictionary<string, long> { ["b"] = 3, ["a"] = -1 } },
        ];
        var writer = new StringWriter();

        HistoryJson.Write(writer, history);
        var back = HistoryJson.Read(new StringReader(writer.ToString()));

        Assert.Equal(history.Length, back.Count);
        for (int i = 0; i < history.Length; i++)
            Assert.Equal(HistoryJson.Serialize(history[i]), HistoryJson.Serialize(back[i]));
        Assert.Equal(-1, back[10].Balances!["a"]);
        Assert.Equal(1e-9 + 6, back[10].Complete);
    }

    [Theory]
    [InlineData("""{"process":1,"f":"read","key":"k","invoke":0,"complete":1,"status":"ok","valeu":3}""", "unknown property 'valeu'")]
    [InlineData("""{"process":1,"f":"reed","key":"k","invoke":0,"complete":1,"status":"ok"}""", "unknown f 'reed'")]
    [InlineData("""{"process":1,"f":"read","key":"k","invoke":0,"complete":1,"status":"maybe"}""", "unknown status 'maybe'")]
    [InlineData("""{"process":1,"f":"read","key":"k","invoke":0,"status":"ok"}""", "needs process, f, invoke, complete and status")]
    [InlineData("""{"process":1,"f":"read","key":"k","invoke":0,"complete":1,"status":"ok","value":"3"}""", "line 2")]
    [InlineData("""{"process":1,"f":"read","key":"k","invoke":0,"complete":1,"complete":2,"status":"ok"}""", "duplicate property 'complete'")]
    [InlineData("""[1,2]""", "must be a JSON object")]
    public void Reader_RejectsWhatItDoesNotUnderstand_NamingTheLine(string badLine, string expected)
    {
        string text = """{"process":0,"f":"write","key":"k","invoke":0,"complete":1,"status":"ok","value":3}""" + "\n" + badLine + "\n";

        var error = Assert.Throws<InvalidDataException>(() => HistoryJson.Read(new StringReader(text)));

        Assert.Contains("line 2", error.Message);
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Artifacts_KeepTheHistoryAndTheReport_OnlyWhenACheckFails()
    {
        using var dir = new TempDirectory("kahuna-histories");
        var artifacts = new HistoryArtifacts(dir.Path);
        HistoryOperation[] good = [HistoryOperation.Write(0, "k", 1).At(0, 1), HistoryOperation.Read(1, "k").At(2, 3) with { Value = 1 }];
        HistoryOperation[] stale = [.. good, HistoryOperation.Write(0, "k", 2).At(4, 5), HistoryOperation.Read(1, "k").At(6, 7) with { Value = 1 }];
        var checker = new RegisterLinearizabilityChecker();

        artifacts.AssertValid("good run", 1, good, checker.Check(good));
        var failure = Assert.ThrowsAny<Exception>(() => artifacts.AssertValid("stale run", 42, stale, checker.Check(stale)));

        Assert.False(File.Exists(Path.Combine(dir.Path, "good_run-1.jsonl")));
        string kept = Path.Combine(dir.Path, "stale_run-42.jsonl");
        Assert.Contains(kept, failure.Message);
        Assert.Contains("StaleRead", failure.Message);
        Assert.Equal(stale.Select(HistoryJson.Serialize), HistoryJson.ReadFile(kept).Select(HistoryJson.Serialize));
        Assert.Contains("StaleRead", File.ReadAllText(Path.Combine(dir.Path, "stale_run-42.txt")));
    }

    [Fact]
    public void Artifacts_UnknownIsNotAPass()
    {
        using var dir = new TempDirectory("kahuna-histories");
        HistoryOperation[] nothingObserved = [HistoryOperation.Write(0, "k", 1).At(0, 1)];
        var result = new RegisterLinearizabilityChecker().Check(nothingObserved);

        Assert.Equal(CheckOutcome.Unknown, result.Outcome);
        Assert.ThrowsAny<Exception>(() => new HistoryArtifacts(dir.Path).AssertValid("vacuous", 0, nothingObserved, result));
        Assert.True(File.Exists(Path.Combine(dir.Path, "vacuous-0.jsonl")));
    }
}
