using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Node.StateMachines.Sessions;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class ClientSessionTableTests
{
    private static OperationId Op(long sequence, ulong client = 1) => new(client, 99, sequence);

    private static IPartitionResult Result(int marker) => new ExpiredEntriesResult(KahunaStatus.Ok, marker);

    private static void Apply(ClientSessionTable table, OperationId operation, long floor, long nowMs, int marker)
    {
        Assert.Equal(SessionCheckOutcome.New, table.Check(operation, floor, nowMs).Outcome);
        table.Remember(operation, Result(marker));
    }

    [Fact]
    public void RepeatedOperation_ReturnsRememberedResult()
    {
        var table = new ClientSessionTable();
        Apply(table, Op(1), 0, 0, marker: 7);

        var again = table.Check(Op(1), 0, 10);

        Assert.Equal(SessionCheckOutcome.Duplicate, again.Outcome);
        Assert.Equal(Result(7), again.Remembered);
    }

    [Fact]
    public void SameSequenceFromOtherClient_IsNew()
    {
        var table = new ClientSessionTable();
        Apply(table, Op(1, client: 1), 0, 0, 1);

        Assert.Equal(SessionCheckOutcome.New, table.Check(Op(1, client: 2), 0, 0).Outcome);
    }

    [Fact]
    public void RaisingTheFloor_ForgetsResultsBelowIt_AndRejectsRetriesBelowIt()
    {
        var table = new ClientSessionTable();
        Apply(table, Op(1), 0, 0, 1);
        Apply(table, Op(2), 0, 0, 2);
        Apply(table, Op(3), floor: 3, 0, 3);

        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(1), 3, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(2), 0, 0).Outcome); // floors never go down
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(3), 0, 0).Outcome);
        Assert.Equal(1, table.RememberedResultCount);
    }

    [Fact]
    public void ResultsBeyondTheCap_EvictLowestSequence_AndItsRetryIsForgottenNotReapplied()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { MaxResultsPerSession = 3 });
        for (var sequence = 1; sequence <= 5; sequence++)
        {
            Apply(table, Op(sequence), 0, 0, sequence);
        }

        Assert.Equal(3, table.RememberedResultCount);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(1), 0, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(2), 0, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(3), 0, 0).Outcome);
    }

    [Fact]
    public void IdleSessions_AreDroppedAfterRetention()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { RetentionMs = 1000 });
        Apply(table, Op(1, client: 1), 0, 0, 1);
        Apply(table, Op(1, client: 2), 0, 500, 1);

        table.CollectGarbage(999, 10);
        Assert.Equal(2, table.Count);
        table.CollectGarbage(1000, 10);

        Assert.Equal(1, table.Count);
        Assert.Equal(SessionCheckOutcome.New, table.Check(Op(1, client: 1), 0, 1000).Outcome);
    }

    [Fact]
    public void ActivityKeepsASessionAlive()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { RetentionMs = 1000 });
        Apply(table, Op(1), 0, 0, 1);
        Apply(table, Op(2), 0, 900, 2);

        table.CollectGarbage(1500, 10);

        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(1), 0, 1500).Outcome);
    }

    [Fact]
    public void SessionsBeyondTheCap_DropLeastRecentlyActive()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { MaxSessions = 2 });
        Apply(table, Op(1, client: 1), 0, 0, 1);
        Apply(table, Op(1, client: 2), 0, 1, 1);
        table.Check(Op(1, client: 1), 0, 2); // client 1 active again

        Apply(table, Op(1, client: 3), 0, 3, 1);

        Assert.Equal(2, table.Count);
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(1, client: 1), 0, 4).Outcome);
        Assert.Equal(SessionCheckOutcome.New, table.Check(Op(1, client: 2), 0, 4).Outcome);
    }

    [Fact]
    public void CollectGarbage_RespectsItsBudget()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { RetentionMs = 10 });
        for (ulong client = 0; client < 5; client++)
        {
            Apply(table, Op(1, client), 0, 0, 1);
        }

        Assert.Equal(2, table.CollectGarbage(100, 2));
        Assert.Equal(3, table.Count);
    }

    [Fact]
    public void AWriteOvertakenByMoreThanTheCap_IsStillApplied_WhileRetriesOfEvictedOnesAreNot()
    {
        // Found by the benchmark: a client pipelining 64 writes at 100k/s had one write (sequence 1, still in
        // flight, so every later write carries floor 1) overtaken by more than the cap of later ones; it used to be
        // refused as forgotten although it had never been applied.
        var table = new ClientSessionTable(new ClientSessionOptions { MaxResultsPerSession = 3 });
        for (var sequence = 2; sequence <= 10; sequence++)
        {
            Apply(table, Op(sequence), floor: 1, 0, sequence);
        }

        Assert.Equal(SessionCheckOutcome.New, table.Check(Op(1), 1, 0).Outcome);
        table.Remember(Op(1), Result(1));
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(2), 1, 0).Outcome); // applied, answer dropped: never twice
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(10), 1, 0).Outcome);

        // Once the client's floor passes them, the kept numbers go too.
        Apply(table, Op(11), floor: 9, 0, 11);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(8), 9, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(9), 9, 0).Outcome);
    }

    [Fact]
    public void BeyondTheEvictedCap_TheFloorIsRaised()
    {
        var table = new ClientSessionTable(new ClientSessionOptions { MaxResultsPerSession = 2, MaxEvictedPerSession = 3 });
        for (var sequence = 2; sequence <= 8; sequence++)
        {
            Apply(table, Op(sequence), floor: 1, 0, sequence);
        }

        // 7 applied: 2 answers kept, 3 numbers kept, the lowest two (2, 3) dropped by raising the floor to 4.
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(1), 1, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(4), 1, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Duplicate, table.Check(Op(8), 1, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.New, table.Check(Op(9), 1, 0).Outcome);
    }

    [Fact]
    public void Snapshot_RoundTrip_KeepsEvictedNumbers()
    {
        var options = new ClientSessionOptions { MaxResultsPerSession = 2 };
        var table = new ClientSessionTable(options);
        for (var sequence = 2; sequence <= 6; sequence++)
        {
            Apply(table, Op(sequence), floor: 1, 0, sequence);
        }

        var restored = new ClientSessionTable(options);
        restored.LoadSnapshot(table.ToSnapshot());
        Assert.Equal(SessionCheckOutcome.Forgotten, restored.Check(Op(3), 1, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.Duplicate, restored.Check(Op(6), 1, 0).Outcome);
        Assert.Equal(SessionCheckOutcome.New, restored.Check(Op(1), 1, 0).Outcome);
    }

    [Fact]
    public void Snapshot_RoundTrip_KeepsResultsFloorsAndActivityOrder()
    {
        var options = new ClientSessionOptions { MaxSessions = 2 };
        var table = new ClientSessionTable(options);
        Apply(table, Op(5, client: 1), floor: 4, 0, 5);
        Apply(table, Op(1, client: 2), 0, 1, 1);

        var restored = new ClientSessionTable(options);
        restored.LoadSnapshot(table.ToSnapshot());
        Apply(restored, Op(1, client: 3), 0, 2, 1); // evicts client 1, the least recently active

        Assert.Equal(SessionCheckOutcome.Duplicate, restored.Check(Op(1, client: 2), 0, 3).Outcome);
        Assert.Equal(SessionCheckOutcome.New, restored.Check(Op(5, client: 1), 0, 3).Outcome);
        Assert.Equal(SessionCheckOutcome.Forgotten, table.Check(Op(3, client: 1), 0, 3).Outcome);
    }
}
