using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;

namespace Kahuna.Node.StateMachines.Sequences;

/// <summary>What <see cref="SequenceBlockAllocator.TryTake"/> decided.</summary>
/// <param name="IsTaken">True: [<paramref name="Start"/>, Start + <paramref name="Count"/>) belongs to the caller.</param>
/// <param name="BlockSizeNeeded">When not taken: propose a ReserveBlock of this size, add the block, then take again.</param>
public readonly record struct SequenceAllocation(bool IsTaken, long Start, long Count, long BlockSizeNeeded);

/// <summary>
/// The leader's side of sequence blocks; not replicated, one per partition leader, used from one thread (the
/// partition actor). It hands out values from blocks reserved through the log (<see cref="SequenceStore.ReserveBlock"/>)
/// and says when a new block is needed.
/// </summary>
/// <remarks>
/// <para>A block is used only while it is still the latest reservation of its name, i.e. while its last value equals
/// the replicated high-water mark the caller passes in. Anything else that raised the mark (an idempotent Next, a
/// reservation by another leader) makes the rest of the block a gap; values handed out stay strictly increasing,
/// because every later value comes from above the mark.</para>
/// <para>After a leader change the new leader's allocator is empty and reserves above the replicated mark: values the
/// old leader had reserved but not handed out are gaps, never duplicates. The old leader must stop handing out from
/// its blocks as soon as it is unsure it still leads (the host checks leadership before taking).</para>
/// <para>Keep at most one reservation in flight per name, and call <see cref="AddBlock"/> in the same step that
/// observes the reservation applied; otherwise a block may be judged stale and wasted (safe, but a gap).</para>
/// </remarks>
public sealed class SequenceBlockAllocator
{
    private readonly Dictionary<string, Block> _blocks = new(StringComparer.Ordinal);

    public SequenceBlockAllocator(long blockSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockSize, 1);
        BlockSize = blockSize;
    }

    /// <summary>How many values a reservation normally asks for.</summary>
    public long BlockSize { get; }

    /// <summary>Values still held in memory for <paramref name="name"/>.</summary>
    public long Remaining(string name) => _blocks.TryGetValue(name, out var block) ? block.Remaining : 0;

    /// <summary>Takes <paramref name="count"/> values from the block of <paramref name="name"/>, or says how big a block to reserve.</summary>
    public SequenceAllocation TryTake(string name, long count, long replicatedHighWaterMark)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (_blocks.TryGetValue(name, out var block) && block.LastValue != replicatedHighWaterMark)
        {
            _blocks.Remove(name);
            block = null;
        }

        if (block is not null && block.Remaining >= count)
        {
            var start = block.NextValue;
            block.NextValue += count;
            return new SequenceAllocation(true, start, count, 0);
        }

        // The rest of a current block is contiguous with the next reservation (it ends at the mark), so only the
        // shortfall is needed; AddBlock joins them.
        var shortfall = count - (block?.Remaining ?? 0);
        return new SequenceAllocation(false, 0, 0, Math.Max(BlockSize, shortfall));
    }

    /// <summary>Adds a block the log reserved (a ReserveBlock result); joins it to the current block when contiguous.</summary>
    public void AddBlock(string name, SequenceRangeResult reserved)
    {
        if (reserved.Status != KahunaStatus.Ok || reserved.Count < 1)
        {
            return;
        }

        if (_blocks.TryGetValue(name, out var block) && block.LastValue + 1 == reserved.Start)
        {
            block.LastValue = reserved.EndExclusive - 1;
            return;
        }

        _blocks[name] = new Block { NextValue = reserved.Start, LastValue = reserved.EndExclusive - 1 };
    }

    /// <summary>Forgets every block (on losing leadership).</summary>
    public void Clear() => _blocks.Clear();

    private sealed class Block
    {
        public long NextValue;
        public long LastValue;

        public long Remaining => LastValue - NextValue + 1;
    }
}
