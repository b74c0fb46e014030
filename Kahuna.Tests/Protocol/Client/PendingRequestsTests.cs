using System.Diagnostics;
using Kahuna.Protocol;
using Kahuna.Protocol.Client.Internal;
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
            var slots = new List<(PendingSlot Slot, ulong Id)>();
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
}
