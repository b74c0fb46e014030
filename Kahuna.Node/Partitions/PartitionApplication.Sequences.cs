using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Partitions;

public sealed partial class PartitionApplication
{
    private readonly Dictionary<string, Queue<(PartitionRequest Request, NextSequenceRequest Next)>> _sequenceWaiters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _reserving = new(StringComparer.Ordinal);

    /// <summary>
    /// Sequence values without an idempotency key come from a block the leader reserved through Raft, handed out from
    /// memory. Each batch first confirms leadership (ReadIndex), so a deposed leader can never hand out a value after
    /// its successor did: values are unique and increase in real time. After a fail-over the new leader reserves
    /// above the replicated high-water mark, so the rest of the old block becomes a gap, never a duplicate.
    /// </summary>
    private void NextFromBlock(PartitionRequest request, NextSequenceRequest next) =>
        _host.ReadIndex(() => Allocate(request, next), failure => Reply(request, Failed(failure), failure.LeaderHint));

    private void Allocate(PartitionRequest request, NextSequenceRequest next)
    {
        var allocation = _allocator.TryTake(next.Name, next.Count, _persistent.Sequences.GetHighWaterMark(next.Name));
        if (allocation.IsTaken)
        {
            Reply(request, RequestTranslator.SequenceRange(allocation.Start, allocation.Count));
            return;
        }
        if (!_sequenceWaiters.TryGetValue(next.Name, out var waiters))
            _sequenceWaiters[next.Name] = waiters = new Queue<(PartitionRequest, NextSequenceRequest)>();
        waiters.Enqueue((request, next));
        if (!_reserving.Add(next.Name)) return;
        var name = next.Name;
        Propose(new ReserveSequenceBlockCommand(Now, null, 0, name, allocation.BlockSizeNeeded),
            result =>
            {
                _reserving.Remove(name);
                if (result is SequenceRangeResult { Status: KahunaStatus.Ok } block) _allocator.AddBlock(name, block);
                if (!_sequenceWaiters.Remove(name, out var queued)) return;
                foreach (var (r, n) in queued)
                {
                    if (result is SequenceRangeResult { Status: KahunaStatus.Ok }) Allocate(r, n);
                    else Reply(r, RequestTranslator.ToResponse(n, result as IPartitionResult));
                }
            },
            failure =>
            {
                _reserving.Remove(name);
                if (!_sequenceWaiters.Remove(name, out var queued)) return;
                foreach (var (r, _) in queued) Reply(r, Failed(failure), failure.LeaderHint);
            });
    }

    private void FailSequenceWaiters(string? leader)
    {
        foreach (var queue in _sequenceWaiters.Values)
        foreach (var (request, _) in queue)
            Reply(request, ErrorResponse.Create(KahunaStatus.NotLeader, "leadership changed"), leader);
        _sequenceWaiters.Clear();
        _reserving.Clear();
    }
}
