using System.Text;
using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class PartitionSplitTests
{
    private static readonly byte[] Owner = Encoding.ASCII.GetBytes("o");

    // "a…" names stay in the parent, "z…" names move to the child.
    private static ulong Hash(string name) => name[0] == 'z' ? 100UL : 1UL;

    [Fact]
    public void SplitOff_MovesEachStoresEntries_AndBothChildrenKeepCountersAndSessions()
    {
        var parent = new PartitionStateMachine();
        var operation = new OperationId(1, 1, 1);
        parent.Execute(new TryLockCommand(1000, null, 0, "a-lock", Owner, 10_000));
        parent.Execute(new TryLockCommand(1000, null, 0, "z-lock", Owner, 10_000));
        parent.Execute(new SetKeyValueCommand(1000, null, 0, "a-key", [1], 0, SetCondition.None, null, null));
        var remembered = parent.Execute(new SetKeyValueCommand(1000, operation, 0, "z-key", [2], 0, SetCondition.None, null, null));
        parent.Execute(new NextSequenceCommand(1000, null, 0, "z-seq", 10, "idem"));

        var child = parent.SplitOff(Hash, 50, ulong.MaxValue);

        Assert.Equal(KahunaStatus.NotFound, parent.Locks.GetLock("z-lock", 1000).Status);
        Assert.Equal(KahunaStatus.Ok, child.Locks.GetLock("z-lock", 1000).Status);
        Assert.Equal(KahunaStatus.NotFound, child.KeyValues.Get("a-key", 1000).Status);
        Assert.Equal(KahunaStatus.Ok, child.KeyValues.Get("z-key", 1000).Status);
        Assert.Equal(0, parent.Sequences.GetHighWaterMark("z-seq"));
        Assert.Equal(10, child.Sequences.GetHighWaterMark("z-seq"));
        Assert.Equal(1, child.Sequences.Next("z-seq", 10, "idem", 1000).Start);

        Assert.Equal(3, ((LockResult)parent.Execute(new TryLockCommand(1000, null, 0, "a2", Owner, 10))).FencingToken);
        Assert.Equal(3, ((LockResult)child.Execute(new TryLockCommand(1000, null, 0, "z2", Owner, 10))).FencingToken);
        Assert.Equal(3, ((KeyValueResult)child.Execute(new SetKeyValueCommand(1000, null, 0, "z3", [3], 0, SetCondition.None, null, null))).Revision);

        var retry = new SetKeyValueCommand(1000, operation, 0, "z-key", [2], 0, SetCondition.None, null, null);
        Assert.Equal(RandomPartitionCommands.Bytes(remembered), RandomPartitionCommands.Bytes(child.Execute(retry)));
        Assert.Equal(1000, child.NowMs);
        Assert.Equal(0, child.LastAppliedIndex);
    }

    [Fact]
    public void SequenceStoreSplitOff_MovesMarksAndIdempotencyRecords()
    {
        var store = new SequenceStore();
        store.Next("a", 5, "k", 0);
        store.Next("z", 7, "k", 0);

        var child = store.SplitOff(Hash, 50, ulong.MaxValue);

        Assert.Equal((5L, 0L), (store.GetHighWaterMark("a"), store.GetHighWaterMark("z")));
        Assert.Equal((0L, 7L), (child.GetHighWaterMark("a"), child.GetHighWaterMark("z")));
        Assert.Equal((1, 1), (store.IdempotencyRecordCount, child.IdempotencyRecordCount));
    }
}
