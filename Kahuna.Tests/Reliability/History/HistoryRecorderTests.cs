using Kahuna.Tests.Reliability.Checkers;
using Xunit;

namespace Kahuna.Tests.Reliability.History;

public class HistoryRecorderTests
{
    [Fact]
    public void InvokeAndComplete_AreStampedFromTheOneClock()
    {
        double now = 1.0;
        var recorder = new HistoryRecorder(() => now);

        var write = recorder.Invoke(HistoryOperation.Write(0, "k", 5));
        now = 1.5;
        var read = recorder.Invoke(HistoryOperation.Read(1, "k"));
        now = 2.0;
        read.Ok(op => op with { Value = 5 });
        now = 2.5;
        write.Ok();

        var history = recorder.Snapshot();
        Assert.Equal([1.0, 1.5], history.Select(o => o.Invoke));
        Assert.Equal([2.5, 2.0], history.Select(o => o.Complete!.Value));
        Assert.All(history, o => Assert.Equal(OperationStatus.Ok, o.Status));
        Assert.Equal(5, history[1].Value);
    }

    [Fact]
    public void PendingOperations_AreInfoWithNoCompletion()
    {
        var recorder = new HistoryRecorder(() => 3);

        recorder.Invoke(HistoryOperation.Write(0, "k", 1));

        var op = Assert.Single(recorder.Snapshot());
        Assert.Equal(OperationStatus.Info, op.Status);
        Assert.Null(op.Complete);
    }

    [Fact]
    public void FailAndInfo_RecordTheReason()
    {
        var recorder = new HistoryRecorder();

        recorder.Invoke(HistoryOperation.Cas(0, "k", 1, 2)).Fail("NotSet");
        recorder.Invoke(HistoryOperation.Write(0, "k", 3)).Info("timeout");

        var history = recorder.Snapshot();
        Assert.Equal((OperationStatus.Fail, "NotSet"), (history[0].Status, history[0].Error));
        Assert.Equal((OperationStatus.Info, "timeout"), (history[1].Status, history[1].Error));
        Assert.True(history[1].Complete >= history[1].Invoke);
    }

    [Fact]
    public void HarnessMistakes_Throw()
    {
        var recorder = new HistoryRecorder();
        var first = recorder.Invoke(HistoryOperation.Read(0, "k"));

        Assert.Throws<InvalidOperationException>(() => recorder.Invoke(HistoryOperation.Read(0, "k")));
        Assert.Throws<InvalidOperationException>(() => first.Ok(op => op with { Key = "other" }));
        first.Ok();
        Assert.Throws<InvalidOperationException>(() => first.Fail());
    }

    [Fact]
    public void ConcurrentClients_ProduceAConsistentHistory()
    {
        var recorder = new HistoryRecorder();
        const int processes = 8, perProcess = 500;

        Parallel.For(0, processes, new ParallelOptions { MaxDegreeOfParallelism = processes }, p =>
        {
            for (int i = 0; i < perProcess; i++)
            {
                var pending = recorder.Invoke(HistoryOperation.Write(p, $"k{p}", i));
                if (i % 10 == 0) pending.Info(); else pending.Ok();
            }
        });

        var history = recorder.Snapshot();
        Assert.Equal(processes * perProcess, history.Count);
        Assert.True(history.Zip(history.Skip(1)).All(pair => pair.Item1.Invoke <= pair.Item2.Invoke), "history is in invocation order");
        Assert.All(history, o => Assert.True(o.Complete >= o.Invoke));
        foreach (var ops in history.GroupBy(o => o.Process))
            Assert.Equal(Enumerable.Range(0, perProcess).Select(i => (long?)i), ops.Select(o => o.Value)); // each process in its own order
    }

    [Fact]
    public void RecordedHistory_FeedsTheCheckers()
    {
        double now = 0;
        var recorder = new HistoryRecorder(() => now += 0.01);
        for (int i = 1; i <= 30; i++)
        {
            recorder.Invoke(HistoryOperation.Write(0, "k", i)).Ok();
            recorder.Invoke(HistoryOperation.Read(1, "k")).Ok(op => op with { Value = i });
            recorder.Invoke(HistoryOperation.Next(2, "s")).Ok(op => op with { Value = i * 10 });
        }

        var history = recorder.Snapshot();

        Assert.True(new RegisterLinearizabilityChecker().Check(history).IsValid);
        Assert.True(new SequenceChecker().Check(history).IsValid);
    }
}
