using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// "Serving again" as a user feels it: from the spawn of the node process until every partition answers a
/// linearizable read of its probe key with the value written before the stop. That covers process start, JIT,
/// reading the checkpoints, replaying the journal, the election and the first committed entry of the new term
/// (a ReadIndex read needs it). The ready line comes earlier: the client port opens before replicas recover.
/// </summary>
internal static class RecoveryProbe
{
    /// <summary>A client for probing a node that is still starting: short request timeouts and short back-off, so the
    /// first moment a partition serves is seen within tens of milliseconds rather than after a 1 s retry back-off.</summary>
    public static KahunaClient ProbeClient(string endpoint) => new(new KahunaClientOptions
    {
        Endpoints = [endpoint],
        RequestTimeout = TimeSpan.FromSeconds(2),
        ConnectTimeout = TimeSpan.FromSeconds(2),
        RetryInitialBackoff = TimeSpan.FromMilliseconds(5),
        RetryMaxBackoff = TimeSpan.FromMilliseconds(50),
        ClientName = "footprint-probe",
    });

    /// <summary>
    /// Waits until each probe reads back as expected; returns, per partition, the time since spawn at which it first did.
    /// <paramref name="expectWritten"/> false (the first start) accepts "not found": the partition answered.
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, TimeSpan>> WaitServingAsync(NodeChild node, KahunaClient client, FootprintKeys keys,
        bool expectWritten, TimeSpan within, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var left = within - node.SinceSpawn.Elapsed;
        deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.FromMilliseconds(1));
        var times = await Task.WhenAll(keys.Probes.Select(p => WaitOneAsync(node, client, p, expectWritten, deadline.Token))).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        if (times.Any(t => t is null))
        {
            var missing = keys.Probes.Where((_, i) => times[i] is null).Select(p => p.PartitionId);
            throw new TimeoutException($"partitions {string.Join(", ", missing)} did not serve a read within {within.TotalSeconds:0} s of the spawn{node.DescribeTail()}");
        }
        return keys.Probes.Select((p, i) => (p.PartitionId, Time: times[i]!.Value)).ToDictionary(x => x.PartitionId, x => x.Time);
    }

    private static async Task<TimeSpan?> WaitOneAsync(NodeChild node, KahunaClient client, FootprintKeys.Probe probe, bool expectWritten,
        CancellationToken deadline)
    {
        var expected = FootprintKeys.ProbeValue(probe.Key);
        while (!deadline.IsCancellationRequested)
        {
            if (node.HasExited)
                throw new InvalidOperationException($"the node exited while recovering{node.DescribeTail()}");
            try
            {
                var read = await client.GetAsync(probe.Key, Durability.Persistent, deadline).ConfigureAwait(false);
                if (!expectWritten || (read.Found && read.Value.AsSpan().SequenceEqual(expected)))
                    return node.SinceSpawn.Elapsed;
                throw new InvalidOperationException(read.Found
                    ? $"partition {probe.PartitionId} serves, but its probe key {probe.Key} holds another value"
                    : $"partition {probe.PartitionId} serves, but its probe key {probe.Key} was lost");
            }
            catch (KahunaException)
            {
                // Not serving yet (no leader, or recovering); the client already retried for its request timeout.
                // A short pause keeps an instant refusal (port not open yet) from spinning.
                try
                {
                    await Task.Delay(20, deadline).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (deadline.IsCancellationRequested)
            {
                break;
            }
        }
        return null;
    }

    /// <summary>Reads a spread of loaded keys back: how many are there with the right value (persistent keys must all be).</summary>
    public static async Task<(int Checked, int Found)> VerifySampleAsync(KahunaClient client, FootprintKeys keys, long loaded, int sample,
        Durability durability, CancellationToken cancellationToken)
    {
        int count = (int)Math.Min(sample, loaded);
        if (count == 0)
            return (0, 0);
        // Evenly spread over the loaded range, so every partition and every part of the load is looked at.
        var numbers = Enumerable.Range(0, count).Select(i => (long)((double)i * loaded / count)).Distinct().ToList();
        var reads = await Task.WhenAll(numbers.Select(async n =>
        {
            var read = await client.GetAsync(FootprintKeys.Key(n), durability, cancellationToken).ConfigureAwait(false);
            return read.Found && read.Value.AsSpan().SequenceEqual(keys.Value(n));
        })).ConfigureAwait(false);
        return (numbers.Count, reads.Count(ok => ok));
    }
}
