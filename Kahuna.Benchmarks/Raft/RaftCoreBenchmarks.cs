using BenchmarkDotNet.Attributes;

namespace Kahuna.Benchmarks;

/// <summary>
/// The pure Raft core's cost per batch: a leader of a 3-replica group takes 64 proposals (one Ready's worth under
/// load), replicates them and commits them, with every message delivered in memory. One operation is one batch
/// of 64 entries (divide by 64 for the cost per entry). Serialization, disk and network are not included.
/// </summary>
[MemoryDiagnoser]
public class RaftCoreBenchmarks
{
    private const int BatchSize = 64;
    private const int EntryBytes = 200;

    private InMemoryRaftGroup _group = null!;
    private ReadOnlyMemory<byte> _payload;

    [GlobalSetup]
    public void Setup()
    {
        _group = InMemoryRaftGroup.Elect(3);
        var payload = new byte[EntryBytes];
        new Random(5).NextBytes(payload);
        _payload = payload;
    }

    [Benchmark]
    public long ProposeAndCommit64()
    {
        var leader = _group.Leader;
        for (var i = 0; i < BatchSize; i++)
        {
            if (!leader.Propose(_payload).Accepted) throw new InvalidOperationException("proposal refused");
        }
        _group.DeliverUntilQuiet();
        // The leader has committed and applied the batch; followers learn the commit with the next append.
        if (leader.AppliedIndex != leader.LastIndex)
            throw new InvalidOperationException($"batch not committed: applied {leader.AppliedIndex}, last {leader.LastIndex}");
        _group.CompactIfLong();
        return leader.AppliedIndex;
    }
}
