using System.Diagnostics;
using Kahuna.Protocol;
using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Concurrency;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Protocol.Client;

/// <summary>
/// The reusable waits of a connection: whoever completes a request first wins, an answer that comes after its caller
/// gave up never completes the slot's next request, and the capacity bounds what is in flight.
/// </summary>
public class PendingRequestsTests
{
    private static readonly KahunaResponse Answer = new PingReply { Status = KahunaStatus.Ok };

    [Fact]
    public async Task ALateAnswer_ToAnEarlierUseOfTheSlot_DoesNotCompleteItsNextUse()
    {
        var pending = new PendingRequests(1);
        Assert.True(pending.TryRent(out var slot));
        ulong first = slot.Arm(Deadlines.None);
        Assert.True(pending.ExpireOverdue(Stopwatch.GetTimestamp()), "no deadline: it still waits");
        Assert.True(slot.TryComplete(first, null, new RequestDeadlineExceededException()));
        await Assert.ThrowsAsync<RequestDeadlineExceededException>(() => slot.AsValueTask().AsTask());

        Assert.True(pending.TryRent(out var again));
        Assert.Same(slot, again);
        ulong second = again.Arm(Deadlines.None);
        Assert.NotEqual(first, second);
        Assert.False(pending.TryComplete(first, new PingReply { Status = KahunaStatus.Retry }), "the late answer is dropped");
        Assert.True(pending.TryComplete(second, Answer));
        Assert.Same(Answer, await again.AsValueTask());
    }

    [Fact]
    public async Task TheCapacity_BoundsTheSlotsInFlight_AndAReadResultHandsItsSlotBack()
    {
        var pending = new PendingRequests(2);
        Assert.True(pending.TryRent(out var a));
        Assert.True(pending.TryRent(out _));
        Assert.False(pending.TryRent(out _));
        Assert.Null(await pending.RentAsync(TimeSpan.FromMilliseconds(20), CancellationToken.None));

        ulong id = a.Arm(Deadlines.None);
        var waiting = pending.RentAsync(TimeSpan.FromMinutes(1), CancellationToken.None);
        Assert.False(waiting.IsCompleted);
        Assert.True(pending.TryComplete(id, Answer));
        Assert.Same(Answer, await a.AsValueTask());

        Assert.Same(a, await waiting);
    }

    [Fact]
    public async Task ExpireOverdue_FailsOnlyThePassedDeadlines_AndTellsWhetherAnyStillWaits()
    {
        var pending = new PendingRequests(4);
        Assert.True(pending.TryRent(out var overdue));
        Assert.True(pending.TryRent(out var later));
        overdue.Arm(Stopwatch.GetTimestamp() - 1);
        ulong laterId = later.Arm(Deadlines.After(TimeSpan.FromMinutes(1)));

        Assert.True(pending.ExpireOverdue(Stopwatch.GetTimestamp()));
        await Assert.ThrowsAsync<RequestDeadlineExceededException>(() => overdue.AsValueTask().AsTask());
        Assert.True(pending.AnyWaiting());

        Assert.True(pending.TryComplete(laterId, Answer));
        await later.AsValueTask();
        Assert.False(pending.AnyWaiting());
        Assert.False(pending.ExpireOverdue(Stopwatch.GetTimestamp()));
    }

    [Fact]
    public async Task FailAll_FailsEveryWaitingRequest_AndNothingElse()
    {
        var pending = new PendingRequests(3);
        Assert.True(pending.TryRent(out var a));
        Assert.True(pending.TryRent(out var b));
        Assert.True(pending.TryRent(out var answered));
        a.Arm(Deadlines.None);
        b.Arm(Deadlines.None);
        ulong answeredId = answered.Arm(Deadlines.None);
        Assert.True(pending.TryComplete(answeredId, Answer));
        var failure = new KahunaConnectionException(KahunaStatus.Unavailable, "gone", isRetryable: true);

        pending.FailAll(failure);

        Assert.Same(failure, await Assert.ThrowsAsync<KahunaConnectionException>(() => a.AsValueTask().AsTask()));
        Assert.Same(failure, await Assert.ThrowsAsync<KahunaConnectionException>(() => b.AsValueTask().AsTask()));
        Assert.Same(Answer, await answered.AsValueTask());
    }

    [Fact]
    public async Task Cancellation_FailsTheRequest_AndTheSlotServesAgain()
    {
        var pending = new PendingRequests(1);
        Assert.True(pending.TryRent(out var slot));
        ulong id = slot.Arm(Deadlines.None);
        using var cancel = new CancellationTokenSource();
        slot.CancelWith(cancel.Token);

        cancel.Cancel();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slot.AsValueTask().AsTask());
        Assert.False(pending.TryComplete(id, Answer));
        Assert.True(pending.TryRent(out var again));
        ulong next = again.Arm(Deadlines.None);
        again.CancelWith(cancel.Token); // already cancelled: fails at once
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => again.AsValueTask().AsTask());
        Assert.NotEqual(id, next);
    }

    [Fact]
    public async Task Ids_AreNeverZero_AndNeverRepeatAcrossSlotsAndUses()
    {
        var pending = new PendingRequests(3);
        var seen = new HashSet<ulong>();
        for (int round = 0; round < 50; round++)
        {
            var slots = new List<(ReusableWait<KahunaResponse> Slot, ulong Id)>();
            while (pending.TryRent(out var slot))
                slots.Add((slot, slot.Arm(Deadlines.None)));
            Assert.Equal(3, slots.Count);
            foreach (var (slot, id) in slots)
            {
                Assert.NotEqual(0UL, id);
                Assert.True(seen.Add(id), $"id {id} was used before");
                Assert.True(pending.TryComplete(id, Answer));
                await slot.AsValueTask();
            }
        }
    }

    [Fact]
    public async Task RacingAnswersDeadlinesCancellationsAndFailures_NeverCompleteTheWrongRequest_AndEverySlotComesBack()
    {
        const int capacity = 8;
        var pending = new PendingRequests(capacity);
        var sent = new System.Collections.Concurrent.ConcurrentQueue<ulong>();
        using var stop = new CancellationTokenSource();
        int wrong = 0, answered = 0, failed = 0;

        // The "server" answers every id it sees, some twice and some late, each answer naming the request it is for.
        var server = Task.Run(async () =>
        {
            var random = new Random(1);
            while (!stop.IsCancellationRequested || !sent.IsEmpty)
            {
                if (!sent.TryDequeue(out var id)) { await Task.Yield(); continue; }
                pending.TryComplete(id, new GetResponse { Status = KahunaStatus.Ok, Revision = (long)id });
                if (random.Next(8) == 0) sent.Enqueue(id); // a duplicate or late answer
            }
        });
        // The sweep, with a clock that sometimes runs ahead so deadlines pass mid-flight.
        var sweep = Task.Run(async () =>
        {
            var random = new Random(2);
            while (!stop.IsCancellationRequested)
            {
                pending.ExpireOverdue(Stopwatch.GetTimestamp() + random.Next(3) * Stopwatch.Frequency / 1000);
                await Task.Yield();
            }
        });
        var callers = Enumerable.Range(0, 4).Select(seed => Task.Run(async () =>
        {
            var random = new Random(100 + seed);
            for (int i = 0; i < 2_000; i++)
            {
                var slot = await pending.RentAsync(Timeout.InfiniteTimeSpan, CancellationToken.None) ?? throw new InvalidOperationException("no slot");
                ulong id = slot.Arm(Stopwatch.GetTimestamp() + random.Next(4) * Stopwatch.Frequency / 1000);
                using var cancel = new CancellationTokenSource();
                slot.CancelWith(cancel.Token);
                if (random.Next(4) == 0) cancel.CancelAfter(random.Next(2));
                if (random.Next(50) == 0) pending.FailAll(new KahunaConnectionException(KahunaStatus.Unavailable, "connection lost", isRetryable: true));
                sent.Enqueue(id);
                try
                {
                    var answer = (GetResponse)await slot.AsValueTask();
                    Interlocked.Increment(ref answered);
                    if (answer.Revision != (long)id) Interlocked.Increment(ref wrong);
                }
                catch (Exception ex) when (ex is OperationCanceledException or RequestDeadlineExceededException or KahunaConnectionException)
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })).ToArray();

        await Task.WhenAll(callers).WaitAsync(TimeSpan.FromMinutes(2));
        stop.Cancel();
        await Task.WhenAll(server, sweep).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(0, wrong);
        Assert.Equal(8_000, answered + failed);
        Assert.True(answered > 0 && failed > 0, $"both outcomes happened ({answered} answered, {failed} failed)");
        Assert.False(pending.AnyWaiting());
        for (int i = 0; i < capacity; i++)
            Assert.True(pending.TryRent(out _), "every slot came back");
        Assert.False(pending.TryRent(out _));
    }
}
