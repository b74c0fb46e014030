using System.Text;
using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class PartitionStateMachineTests
{
    private static readonly byte[] Alice = Encoding.ASCII.GetBytes("alice");
    private static readonly byte[] Bob = Encoding.ASCII.GetBytes("bob");

    private static object? Apply(PartitionStateMachine machine, long index, IPartitionCommand command) =>
        machine.Apply(index, PartitionCommandCodec.Encode(command));

    private static OperationId Op(long sequence) => new(1, 2, sequence);

    [Fact]
    public void Apply_RoutesEachCommandToItsStore()
    {
        var machine = new PartitionStateMachine();

        var locked = (LockResult)Apply(machine, 1, new TryLockCommand(1000, null, 0, "r", Alice, 100))!;
        var set = (KeyValueResult)Apply(machine, 2, new SetKeyValueCommand(1000, null, 0, "k", [1], 0, SetCondition.None, null, null))!;
        var next = (SequenceRangeResult)Apply(machine, 3, new NextSequenceCommand(1000, null, 0, "s", 2, null))!;

        Assert.Equal((KahunaStatus.Ok, 1L), (locked.Status, locked.FencingToken));
        Assert.Equal((KahunaStatus.Ok, 1L), (set.Status, set.Revision));
        Assert.Equal((1L, 2L), (next.Start, next.Count));
        Assert.Equal(Alice, machine.Locks.GetLock("r", 1000).Owner);
        Assert.Equal(3, machine.LastAppliedIndex);
    }

    [Fact]
    public void Now_IsTheLargestTimestamp_AndNeverGoesBackwards()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new TryLockCommand(1000, null, 0, "r", Alice, 100));

        // A command stamped earlier (another leader's slower clock) is applied at the machine's now, 1000.
        var busy = (LockResult)Apply(machine, 2, new TryLockCommand(500, null, 0, "r", Bob, 100))!;
        var extended = (LockResult)Apply(machine, 3, new ExtendLockCommand(900, null, 0, "r", Alice, 50))!;

        Assert.Equal(KahunaStatus.Busy, busy.Status);
        Assert.Equal(1050, extended.ExpiresAtMs);
        Assert.Equal(1000, machine.NowMs);
    }

    [Fact]
    public void Apply_OfAnAlreadyAppliedIndex_IsIgnored()
    {
        var machine = new PartitionStateMachine();
        var command = new NextSequenceCommand(1000, null, 0, "s", 1, null);
        Apply(machine, 5, command);

        Assert.Null(Apply(machine, 5, command));
        Assert.Null(Apply(machine, 4, command));
        Assert.Equal(1, machine.Sequences.GetHighWaterMark("s"));
    }

    [Fact]
    public void Apply_OfBytesThatAreNotACommand_IsRejectedWithoutChangingState()
    {
        var machine = new PartitionStateMachine();
        var before = machine.TakeSnapshot();

        var result = machine.Apply(1, new byte[] { 0x92, 0xA1, 0x61, 0x90 }); // ["a", []]: no integer tag

        var rejected = Assert.IsType<CommandRejectedResult>(result);
        Assert.Equal(KahunaStatus.InvalidInput, rejected.Status);
        Assert.Equal(1, machine.LastAppliedIndex);
        Assert.Equal(before.Length, machine.TakeSnapshot().Length);
    }

    [Fact]
    public void Apply_OfACommandTypeOfANewerVersion_Throws_AndAppliesNothing_NotEvenTheIndex()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new SetKeyValueCommand(1_000, Op(1), 0, "k", [1], 0, SetCondition.None, null, null));
        var before = machine.TakeSnapshot();

        // [127, [1000, nil, 0]]: well formed, but no command of this version has tag 127.
        var error = Assert.Throws<UnknownCommandException>(() => machine.Apply(2, new byte[] { 0x92, 0x7F, 0x93, 0xCD, 0x03, 0xE8, 0xC0, 0x00 }));

        Assert.Equal((2L, 127L), (error.Index, error.Tag));
        Assert.Contains("upgrade this node", error.Message);
        Assert.Equal(1, machine.LastAppliedIndex); // a newer version replays the entry and applies it
        Assert.Equal(before, machine.TakeSnapshot());
    }

    [Fact]
    public void RepeatedOperationId_ReturnsTheSameResult_WithoutApplyingAgain()
    {
        var machine = new PartitionStateMachine();
        var next = new NextSequenceCommand(1000, Op(1), 0, "s", 5, null);

        var first = Apply(machine, 1, next);
        var retry = Apply(machine, 2, next with { TimestampMs = 2000 });

        Assert.Same(first, retry);
        Assert.Equal(5, machine.Sequences.GetHighWaterMark("s"));
    }

    [Fact]
    public void RepeatedTryLock_AfterLeaseExpired_ReturnsTheOriginalGrant()
    {
        var machine = new PartitionStateMachine();
        var tryLock = new TryLockCommand(1000, Op(1), 0, "r", Alice, 100);
        var granted = (LockResult)Apply(machine, 1, tryLock)!;

        var retry = (LockResult)Apply(machine, 2, tryLock with { TimestampMs = 5000 })!;

        Assert.Equal(granted.FencingToken, retry.FencingToken);
        Assert.Equal(1, machine.Locks.LastFencingToken);
    }

    [Fact]
    public void WritesWithoutOperationId_AreNotDeduplicated()
    {
        var machine = new PartitionStateMachine();
        var next = new NextSequenceCommand(1000, null, 0, "s", 1, null);

        Apply(machine, 1, next);
        Apply(machine, 2, next);

        Assert.Equal(2, machine.Sequences.GetHighWaterMark("s"));
    }

    [Fact]
    public void OperationBelowTheClientFloor_IsRejected_NotApplied()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new NextSequenceCommand(1000, Op(1), 0, "s", 1, null));
        Apply(machine, 2, new NextSequenceCommand(1000, Op(2), CompletedBelow: 2, "s", 1, null));

        var late = Apply(machine, 3, new NextSequenceCommand(1000, Op(1), 2, "s", 1, null));

        Assert.Equal(KahunaStatus.OutcomeUnknown, Assert.IsType<CommandRejectedResult>(late).Status);
        Assert.Equal(2, machine.Sequences.GetHighWaterMark("s"));
    }

    [Fact]
    public void Deduplication_SurvivesSnapshotAndRestore()
    {
        var machine = new PartitionStateMachine();
        var set = new SetKeyValueCommand(1000, Op(1), 0, "k", [1], 0, SetCondition.None, null, null);
        var first = (KeyValueResult)Apply(machine, 1, set)!;

        var restored = new PartitionStateMachine();
        restored.RestoreSnapshot(machine.TakeSnapshot());
        var retry = (KeyValueResult)Apply(restored, 2, set)!;

        Assert.Equal(first, retry with { Value = first.Value });
        Assert.Equal(1, restored.KeyValues.CurrentRevision);
    }

    [Fact]
    public void Execute_TheEphemeralPath_DeduplicatesAndKeepsTimeLikeApply()
    {
        var machine = new PartitionStateMachine(new PartitionStateMachineOptions { InitialFencingToken = 3L << 32 });
        var tryLock = new TryLockCommand(1000, Op(1), 0, "r", Alice, 100);

        var granted = (LockResult)machine.Execute(tryLock);
        var retry = (LockResult)machine.Execute(tryLock);

        Assert.Equal((3L << 32) + 1, granted.FencingToken);
        Assert.Same(granted, retry);
        Assert.Equal(0, machine.LastAppliedIndex);
        Assert.Equal(1000, machine.NowMs);
    }

    [Fact]
    public void FencingTokens_KeepIncreasing_AcrossSnapshotRestore()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new TryLockCommand(1000, null, 0, "r", Alice, 100));
        Apply(machine, 2, new UnlockCommand(1000, null, 0, "r", Alice));

        var restored = new PartitionStateMachine();
        restored.RestoreSnapshot(machine.TakeSnapshot());
        var next = (LockResult)Apply(restored, 3, new TryLockCommand(1000, null, 0, "r", Bob, 100))!;

        Assert.Equal(2, next.FencingToken);
    }

    [Fact]
    public void ExpireCommands_ThroughApply_RemoveOnlyExpiredEntries()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new TryLockCommand(1000, null, 0, "short", Alice, 100));
        Apply(machine, 2, new TryLockCommand(1000, null, 0, "long", Alice, 10_000));
        Apply(machine, 3, new SetKeyValueCommand(1000, null, 0, "k", [1], 100, SetCondition.None, null, null));

        var expiredLocks = machine.Locks.ListExpiredLocks(1100, 10);
        var expiredKeys = machine.KeyValues.ListExpiredKeys(1100, 10);
        var locks = (ExpiredEntriesResult)Apply(machine, 4, new ExpireLocksCommand(1100, ["short", "long"]))!;
        var keys = (ExpiredEntriesResult)Apply(machine, 5, new ExpireKeysCommand(1100, ["k"]))!;

        Assert.Equal(["short"], expiredLocks);
        Assert.Equal(["k"], expiredKeys);
        Assert.Equal((1, 1), (locks.Removed, keys.Removed));
        Assert.Equal(1, machine.Locks.Count);
    }

    [Fact]
    public void GarbageCollection_RunsAsCommandsAreApplied()
    {
        var options = new PartitionStateMachineOptions
        {
            KeyValues = new KeyValueStoreOptions { HistoryRetentionMs = 1000 },
            Sessions = new() { RetentionMs = 1000 },
        };
        var machine = new PartitionStateMachine(options);
        Apply(machine, 1, new SetKeyValueCommand(0, Op(1), 0, "k", [1], 0, SetCondition.None, null, null));
        Apply(machine, 2, new DeleteKeyValueCommand(0, Op(2), 0, "k"));

        Apply(machine, 3, new ExpireKeysCommand(1000, []));

        Assert.Equal(0, machine.KeyValues.Count);
        Assert.Equal(0, machine.Sessions.Count);
    }

    [Fact]
    public void ManyClientsAndKeys_StayWithinTheConfiguredCaps()
    {
        var options = new PartitionStateMachineOptions
        {
            Sessions = new() { MaxSessions = 50, MaxResultsPerSession = 8 },
            Sequences = new() { MaxIdempotencyRecords = 20 },
        };
        var machine = new PartitionStateMachine(options);
        for (var index = 1; index <= 2000; index++)
        {
            var operation = new OperationId((ulong)(index % 100), 0, index);
            Apply(machine, index, new NextSequenceCommand(index, operation, 0, "s", 1, "idem" + index));
        }

        Assert.Equal(50, machine.Sessions.Count);
        Assert.True(machine.Sessions.RememberedResultCount <= 50 * 8);
        Assert.Equal(20, machine.Sequences.IdempotencyRecordCount);
    }

    [Fact]
    public void RestoreSnapshot_OfAnUnknownFormat_Throws()
    {
        var snapshot = new PartitionStateMachine().TakeSnapshot();
        snapshot[1] = 0x7F; // the format field (first element of the array)

        Assert.Throws<InvalidDataException>(() => new PartitionStateMachine().RestoreSnapshot(snapshot));
    }

    [Fact]
    public void SetMany_WritesEveryKeyInOneApply_AtConsecutiveRevisions_AndARetryWritesNothing()
    {
        var machine = new PartitionStateMachine();
        Apply(machine, 1, new SetKeyValueCommand(1000, null, 0, "a", [0], 0, SetCondition.None, null, null));
        var many = new SetManyKeyValuesCommand(1000, Op(1), 0,
            [new KeyValueWrite("a", [1], 0), new KeyValueWrite("b", [2], 500), new KeyValueWrite("a", [3], 0)]);

        var first = (KeyValueBatchResult)Apply(machine, 2, many)!;
        var restored = new PartitionStateMachine();
        restored.RestoreSnapshot(machine.TakeSnapshot());
        var retry = (KeyValueBatchResult)Apply(restored, 3, many)!;

        Assert.Equal(KahunaStatus.Ok, first.Status);
        Assert.Equal([2L, 3L, 4L], first.Revisions);
        Assert.Equal(first.Revisions, retry.Revisions);
        Assert.Equal(4, restored.KeyValues.CurrentRevision);
        Assert.Equal([3], restored.KeyValues.Get("a", 1000).Value);
        Assert.Equal(1500, restored.KeyValues.Get("b", 1000).ExpiresAtMs);
    }

    [Fact]
    public void SetMany_WithOneMalformedWrite_ChangesNothing()
    {
        var machine = new PartitionStateMachine();

        var result = (KeyValueBatchResult)Apply(machine, 1, new SetManyKeyValuesCommand(1000, null, 0,
            [new KeyValueWrite("a", [1], 0), new KeyValueWrite("", [2], 0)]))!;

        Assert.Equal(KahunaStatus.InvalidInput, result.Status);
        Assert.Equal(0, machine.KeyValues.CurrentRevision);
        Assert.Equal(KahunaStatus.NotFound, machine.KeyValues.Get("a", 1000).Status);
    }

    private static KeyValueResult SetKey(PartitionStateMachine machine, long index, string key, long nowMs, long ttlMs = 0) =>
        (KeyValueResult)Apply(machine, index, new SetKeyValueCommand(nowMs, null, 0, key, [1], ttlMs, SetCondition.None, null, null))!;

    [Fact]
    public void DeleteMany_TombstonesTheLiveKeysInOneApply_AndAnswersZeroForAbsentExpiredAndRepeatedKeys()
    {
        var machine = new PartitionStateMachine();
        SetKey(machine, 1, "a", 1000);
        SetKey(machine, 2, "short", 1000, ttlMs: 100);
        SetKey(machine, 3, "c", 1000);

        var result = (KeyValueBatchResult)Apply(machine, 4,
            new DeleteManyKeyValuesCommand(2000, null, 0, ["a", "short", "never", "c", "a"]))!;

        Assert.Equal(KahunaStatus.Ok, result.Status);
        Assert.Equal([4L, 0L, 0L, 5L, 0L], result.Revisions);
        Assert.Equal(5, machine.KeyValues.CurrentRevision);
        Assert.Equal(KahunaStatus.NotFound, machine.KeyValues.Get("a", 2000).Status);
        Assert.Equal(KahunaStatus.NotFound, machine.KeyValues.Get("c", 2000).Status);
        Assert.Equal(KahunaStatus.Ok, machine.KeyValues.Get("a", atRevision: 1, 2000).Status); // a tombstone keeps the history
    }

    [Fact]
    public void DeleteMany_RetriedWithTheSameOperation_AnswersAsBefore_AndDoesNotDeleteARecreatedKey()
    {
        var machine = new PartitionStateMachine();
        SetKey(machine, 1, "a", 1000);
        SetKey(machine, 2, "b", 1000);
        var many = new DeleteManyKeyValuesCommand(1000, Op(1), 0, ["a", "b"]);

        var first = (KeyValueBatchResult)Apply(machine, 3, many)!;
        var recreated = SetKey(machine, 4, "a", 1000);
        var restored = new PartitionStateMachine();
        restored.RestoreSnapshot(machine.TakeSnapshot());
        var retry = (KeyValueBatchResult)Apply(restored, 5, many)!;

        Assert.Equal([3L, 4L], first.Revisions);
        Assert.Equal(first.Revisions, retry.Revisions);
        Assert.Equal(recreated.Revision, restored.KeyValues.Get("a", 1000).Revision);
        Assert.Equal(5, restored.KeyValues.CurrentRevision);
    }

    [Fact]
    public void DeleteMany_WithAMalformedOrEmptyList_ChangesNothing()
    {
        var machine = new PartitionStateMachine();
        SetKey(machine, 1, "a", 1000);

        var malformed = (KeyValueBatchResult)Apply(machine, 2, new DeleteManyKeyValuesCommand(1000, null, 0, ["a", ""]))!;
        var empty = (KeyValueBatchResult)Apply(machine, 3, new DeleteManyKeyValuesCommand(1000, null, 0, []))!;

        Assert.Equal(KahunaStatus.InvalidInput, malformed.Status);
        Assert.Equal(KahunaStatus.InvalidInput, empty.Status);
        Assert.Equal(1, machine.KeyValues.CurrentRevision);
        Assert.Equal(KahunaStatus.Ok, machine.KeyValues.Get("a", 1000).Status);
    }

    [Fact]
    public void DeleteMany_OnTheEphemeralPath_DeletesAndDeduplicates()
    {
        var machine = new PartitionStateMachine();
        machine.Execute(new SetKeyValueCommand(1000, null, 0, "a", [1], 0, SetCondition.None, null, null));
        var many = new DeleteManyKeyValuesCommand(1000, Op(1), 0, ["a", "b"]);

        var first = (KeyValueBatchResult)machine.Execute(many);
        machine.Execute(new SetKeyValueCommand(1000, null, 0, "a", [2], 0, SetCondition.None, null, null));
        var retry = (KeyValueBatchResult)machine.Execute(many);

        Assert.Equal([2L, 0L], first.Revisions);
        Assert.Same(first, retry);
        Assert.Equal([2], machine.KeyValues.Get("a", 1000).Value);
    }
}
