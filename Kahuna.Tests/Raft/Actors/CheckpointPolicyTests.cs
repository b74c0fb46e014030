using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Xunit;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>Checkpoints at the fixed interval for small states, then in proportion to a big state's size.</summary>
public sealed class CheckpointPolicyTests
{
    private const long MiB = 1 << 20;
    private static readonly RaftSettings Settings = new()
    {
        SnapshotEveryEntries = 10_000, SnapshotEveryBytes = 8 * MiB, SnapshotGrowthRatio = 0.5, SnapshotMaxEntries = 50_000,
    };

    [Fact]
    public void SmallState_FollowsTheFixedInterval()
    {
        Assert.False(CheckpointPolicy.IsDue(Settings, 9_999, 2 * MiB, 100_000));
        Assert.True(CheckpointPolicy.IsDue(Settings, 10_000, 2 * MiB, 100_000));
        Assert.True(CheckpointPolicy.IsDue(Settings, 500, 8 * MiB, 100_000));
    }

    [Fact]
    public void BigState_WaitsUntilTheLogGrewByHalfOfIt_ButNoLongerThanTheEntryCap()
    {
        // A 20 MiB state: 10,000 entries of 200 B (2 MiB) is not enough, 10 MiB of log is.
        Assert.False(CheckpointPolicy.IsDue(Settings, 10_000, 2 * MiB, 20 * MiB));
        Assert.True(CheckpointPolicy.IsDue(Settings, 40_000, 10 * MiB, 20 * MiB));
        // The cap bounds the in-memory log and the replay whatever the state's size.
        Assert.True(CheckpointPolicy.IsDue(Settings, 50_000, 3 * MiB, 200 * MiB));
    }

    [Fact]
    public void LoadingKeys_SnapshotsBytesProportionalToTheLoad_NotQuadratic()
    {
        // Load 1M keys into one partition: each entry 200 B, each key adds 160 B to the state.
        static long SnapshottedBytes(RaftSettings s)
        {
            long state = 0, entries = 0, bytes = 0, last = 0, total = 0;
            for (var i = 0; i < 1_000_000; i++)
            {
                state += 160; entries++; bytes += 200;
                if (!CheckpointPolicy.IsDue(s, entries, bytes, last)) continue;
                total += state; last = state; entries = 0; bytes = 0;
            }
            return total;
        }
        var fixedInterval = SnapshottedBytes(Settings with { SnapshotGrowthRatio = 0 });
        var proportional = SnapshottedBytes(Settings);
        Assert.True(fixedInterval > 7_000 * MiB, $"{fixedInterval / MiB} MiB");
        Assert.True(proportional < fixedInterval / 4, $"{proportional / MiB} MiB vs {fixedInterval / MiB} MiB");
    }
}
