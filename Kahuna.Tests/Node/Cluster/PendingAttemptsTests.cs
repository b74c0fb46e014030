using System.Diagnostics;
using Kahuna.Node.Routing;
using Kahuna.Protocol;
using Kahuna.Protocol.Concurrency;
using Kahuna.Protocol.Messages;
using Xunit;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// The router's reusable waits for replicas' replies: made as the load needs them, reused after, a late reply never
/// completes a later attempt, overdue attempts end with no reply, and the table never outgrows the node's admission.
/// </summary>
public class PendingAttemptsTests
{
    private static PartitionReply Reply(long id, KahunaStatus status = KahunaStatus.Ok) =>
        new(id, new PingReply { Status = status }, null);

    private static long Never => long.MaxValue;

    /// <summary>One whole attempt on <paramref name="wait"/>: armed, answered, its answer read. Returns its id.</summary>
    private static async Task<long> RoundTripAsync(PendingAttempts attempts, ReusableWait<PartitionReply?> wait)
    {
        var id = (long)wait.Arm(Never);
        Assert.True(attempts.TryComplete(id, Reply(id)));
        Assert.Equal(id, (await wait.AsValueTask())!.CorrelationId);
        return id;
    }

    [Fact]
    public async Task AReplyAfterItsAttemptGaveUp_DoesNotCompleteTheNextAttemptOnTheSameWait()
    {
        var attempts = new PendingAttempts(maxWaits: 8);
        var wait = attempts.Rent();
        var first = (long)wait.Arm(Stopwatch.GetTimestamp() - 1);
        attempts.ExpireOverdue(Stopwatch.GetTimestamp());
        Assert.Null(await wait.AsValueTask());

        var again = attempts.Rent();
        Assert.Same(wait, again);
        var second = (long)again.Arm(Never);
        Assert.NotEqual(first, second);
        Assert.False(attempts.TryComplete(first, Reply(first, KahunaStatus.Retry)), "the late reply is dropped");
        var answer = Reply(second);
        Assert.True(attempts.TryComplete(second, answer));
        Assert.Same(answer, await again.AsValueTask());
    }

    [Fact]
    public async Task WaitsAreMadeAsNeeded_AndReusedOnceTheirResultIsRead()
    {
        var attempts = new PendingAttempts(maxWaits: 1000);
        var inFlight = Enumerable.Range(0, 100).Select(_ => attempts.Rent()).ToList();
        Assert.Equal(100, attempts.Count);
        Assert.Equal(100, inFlight.Distinct().Count());
        var ids = inFlight.Select(w => (long)w.Arm(Never)).ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            Assert.True(attempts.TryComplete(ids[i], Reply(ids[i])));
            Assert.Equal(ids[i], (await inFlight[i].AsValueTask())!.CorrelationId);
        }
        for (var round = 0; round < 3; round++)
            await RoundTripAsync(attempts, attempts.Rent());
        Assert.Equal(100, attempts.Count);
    }

    [Fact]
    public async Task ExpireOverdue_EndsOnlyThePassedDeadlines_WithNoReply()
    {
        var attempts = new PendingAttempts(maxWaits: 4);
        var overdue = attempts.Rent();
        var later = attempts.Rent();
        overdue.Arm(Stopwatch.GetTimestamp() - 1);
        var laterId = (long)later.Arm(Never);

        attempts.ExpireOverdue(Stopwatch.GetTimestamp());

        Assert.Null(await overdue.AsValueTask());
        Assert.False(later.AsValueTask().IsCompleted);
        Assert.True(attempts.TryComplete(laterId, Reply(laterId)));
        Assert.NotNull(await later.AsValueTask());
    }

    [Fact]
    public async Task Cancellation_EndsTheAttempt_AndItsWaitServesAgain()
    {
        var attempts = new PendingAttempts(maxWaits: 1);
        var wait = attempts.Rent();
        var id = (long)wait.Arm(Never);
        using var cancel = new CancellationTokenSource();
        wait.CancelWith(cancel.Token);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.AsValueTask().AsTask());
        Assert.False(attempts.TryComplete(id, Reply(id)));
        Assert.Same(wait, attempts.Rent());
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-5L)]
    [InlineData(long.MaxValue)]
    public void RepliesWithIdsItNeverIssued_AreIgnored(long id)
    {
        var attempts = new PendingAttempts(maxWaits: 3);
        var wait = attempts.Rent();
        wait.Arm(Never);
        Assert.False(attempts.TryComplete(id, Reply(id)));
        Assert.False(wait.AsValueTask().IsCompleted);
    }

    [Fact]
    public async Task ATableAsLargeAsTheAdmission_IsNeverOutgrown_AndIdsStayPositive()
    {
        var attempts = new PendingAttempts(maxWaits: 3);
        var seen = new HashSet<long>();
        for (var round = 0; round < 40; round++)
        {
            var waits = Enumerable.Range(0, 3).Select(_ => attempts.Rent()).ToList();
            Assert.Equal(3, waits.Distinct().Count());
            foreach (var wait in waits)
            {
                var id = await RoundTripAsync(attempts, wait);
                Assert.True(id > 0);
                Assert.True(seen.Add(id), $"id {id} was issued before");
            }
        }
        Assert.Equal(3, attempts.Count);
    }

    [Fact]
    public async Task ConcurrentCallers_EachGetTheirOwnReply_WhileTheTableGrows()
    {
        var attempts = new PendingAttempts(maxWaits: 10_000);
        var misrouted = 0;
        var callers = Enumerable.Range(0, 8).Select(caller => Task.Run(async () =>
        {
            long previous = 0;
            for (var i = 0; i < 2_000; i++)
            {
                var wait = attempts.Rent();
                var id = (long)wait.Arm(Never);
                var pending = wait.AsValueTask();
                var late = previous;
                // Answered from another thread: first a late reply to this caller's previous attempt (its wait is
                // likely armed again by now, by this caller or another), then the answer, then a duplicate of it.
                _ = Task.Run(() =>
                {
                    if (late != 0) attempts.TryComplete(late, Reply(late, KahunaStatus.Retry));
                    attempts.TryComplete(id, Reply(id));
                    attempts.TryComplete(id, Reply(id, KahunaStatus.Retry));
                });
                var reply = await pending;
                if (reply is null || reply.CorrelationId != id || reply.Response.Status != KahunaStatus.Ok)
                    Interlocked.Increment(ref misrouted);
                previous = id;
            }
        })).ToArray();
        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));
        Assert.Equal(0, misrouted);
        // Bounded by the callers, not by the 16,000 attempts: a wait is out of the free list while a caller holds it,
        // and briefly while its result is handed back, so at most two per caller.
        Assert.InRange(attempts.Count, 1, 16);
    }
}
