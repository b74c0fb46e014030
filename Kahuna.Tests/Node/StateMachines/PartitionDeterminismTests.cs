using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Commands;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class PartitionDeterminismTests
{
    private static readonly PartitionStateMachineOptions SmallBounds = new()
    {
        KeyValues = new() { RevisionsPerKey = 3, HistoryRetentionMs = 2_000 },
        Sequences = new() { IdempotencyRetentionMs = 3_000, MaxIdempotencyRecords = 8 },
        Sessions = new() { RetentionMs = 5_000, MaxSessions = 3, MaxResultsPerSession = 4 },
        GarbageBudgetPerCommand = 2,
    };

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(13)]
    public void TwoReplicas_FedTheSameCommands_HaveByteIdenticalSnapshotsAndResults(int seed)
    {
        var commands = new RandomPartitionCommands(seed);
        var first = new PartitionStateMachine(SmallBounds);
        var second = new PartitionStateMachine(SmallBounds);
        for (var index = 1; index <= 3000; index++)
        {
            var encoded = PartitionCommandCodec.Encode(commands.Next());
            Assert.Equal(RandomPartitionCommands.Bytes(first.Apply(index, encoded)), RandomPartitionCommands.Bytes(second.Apply(index, encoded)));
            if (index % 500 == 0)
            {
                Assert.Equal(first.TakeSnapshot(), second.TakeSnapshot());
            }
        }
    }

    [Theory]
    [InlineData(21)]
    [InlineData(22)]
    [InlineData(23)]
    public void RestoredSnapshot_BehavesExactlyLikeTheOriginal(int seed)
    {
        var commands = new RandomPartitionCommands(seed);
        var original = new PartitionStateMachine(SmallBounds);
        var index = 0L;
        for (; index < 1500; index++)
        {
            original.Apply(index + 1, PartitionCommandCodec.Encode(commands.Next()));
        }

        var restored = new PartitionStateMachine(SmallBounds);
        restored.RestoreSnapshot(original.TakeSnapshot());
        Assert.Equal(original.TakeSnapshot(), restored.TakeSnapshot());

        var differences = 0;
        for (; index < 3000; index++)
        {
            var encoded = PartitionCommandCodec.Encode(commands.Next());
            var expected = RandomPartitionCommands.Bytes(original.Apply(index + 1, encoded));
            differences += expected.AsSpan().SequenceEqual(RandomPartitionCommands.Bytes(restored.Apply(index + 1, encoded))) ? 0 : 1;
        }

        Assert.Equal(0, differences);
        Assert.Equal(original.TakeSnapshot(), restored.TakeSnapshot());
    }

    [Fact]
    public void RandomRun_ExercisesEveryOutcome()
    {
        // Guards against a vacuous determinism test: the stream must produce grants, conflicts, duplicates and rejections.
        var commands = new RandomPartitionCommands(11);
        var machine = new PartitionStateMachine(SmallBounds);
        var outcomes = new HashSet<string>();
        for (var index = 1; index <= 3000; index++)
        {
            var result = (Kahuna.Node.StateMachines.Results.IPartitionResult)machine.Apply(index, PartitionCommandCodec.Encode(commands.Next()))!;
            outcomes.Add(result.GetType().Name + ":" + result.Status);
        }

        Assert.Superset(
            new HashSet<string>
            {
                "LockResult:Ok", "LockResult:Busy", "LockResult:NotOwner", "LockResult:NotFound",
                "KeyValueResult:Ok", "KeyValueResult:PreconditionFailed", "KeyValueResult:NotFound",
                "SequenceRangeResult:Ok", "ExpiredEntriesResult:Ok", "CommandRejectedResult:OutcomeUnknown",
            },
            outcomes);
    }
}
