using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Simulation;

/// <summary>
/// The host as the replica actor runs it with writes in flight: a Ready's write takes a few steps, during which the
/// core keeps being stepped, ticked and proposed to (their output waits for the next Ready; <see cref="Ready"/> allows
/// it). A crash loses the write in flight. The replica actor itself holds messages back while it writes (Persist), so
/// this covers the contract more widely than the shell uses it today.
/// </summary>
internal sealed partial class SimCluster
{
    private void ProcessReadyAsync(SimReplica r)
    {
        while (r.Alive)
        {
            var core = r.Core!;
            if (r.Writing is { } writing)
            {
                if (r.WriteDoneAt > _now) return;
                r.Writing = null;
                if (!CompleteReady(r, writing, r.WriteSentFirst)) return;
                continue;
            }
            if (!core.HasReady()) return;
            var rd = core.GetReady();
            ObserveSoftState(r, rd);
            r.WriteSentFirst = rd.MessagesMayGoFirst;
            if (rd.MessagesMayGoFirst) SendAll(r, rd.Messages);
            r.Writing = rd;
            // 0: durable within this step; else a later one, with deliveries, ticks and proposals in between.
            r.WriteDoneAt = _now + _random.Next(4);
        }
    }
}
