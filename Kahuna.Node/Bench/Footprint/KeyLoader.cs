using System.Diagnostics;
using Kahuna.Node.Partitions;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// The keys of a footprint run: <c>fp:0 … fp:N-1</c> with values derived from the key number (so any key can be
/// checked after a restart without remembering what was written), and one probe key per partition, always
/// persistent, whose successful read after a restart says that partition serves again.
/// </summary>
public sealed class FootprintKeys
{
    public FootprintKeys(int partitions, int valueSize)
    {
        ValueSize = valueSize;
        // The node computes the same static map from --cluster-nodes n1 and --partitions.
        var map = PartitionMap.CreateStatic(["n1"], partitions, replicationFactor: 1);
        var probes = new Dictionary<int, string>();
        for (int i = 0; probes.Count < map.Partitions.Length; i++)
        {
            var key = $"fp-probe:{i}";
            probes.TryAdd(map.ForKey(key).Id, key);
        }
        Probes = probes.OrderBy(p => p.Key).Select(p => new Probe(p.Key, p.Value)).ToList();
    }

    public sealed record Probe(int PartitionId, string Key);

    public int ValueSize { get; }

    public IReadOnlyList<Probe> Probes { get; }

    public static string Key(long n) => $"fp:{n}";

    public byte[] Value(long n)
    {
        var value = new byte[ValueSize];
        for (int i = 0; i < value.Length; i++)
            value[i] = (byte)(n * 31 + i * 7);
        return value;
    }

    /// <summary>What a probe key holds: its own name, so a read proves the right data came back.</summary>
    public static byte[] ProbeValue(string key) => System.Text.Encoding.UTF8.GetBytes(key);
}

/// <summary>What the load achieved.</summary>
public sealed record LoadFigure(long Keys, long Loaded, long Failed, double Seconds, double KeysPerSecond, bool Complete, string? LastError);

/// <summary>
/// Writes the key space through the real client: <c>concurrency</c> workers take key numbers from one counter, so
/// that many writes are in flight at once, pipelined over a few connections. A write that fails is retried twice
/// and then counted; the load ends at the time limit or on cancellation, whatever is written by then is reported.
/// </summary>
public static class KeyLoader
{
    private const int Attempts = 3;

    public static async Task<LoadFigure> LoadAsync(KahunaClient client, FootprintKeys keys, FootprintOptions options,
        Func<long, string> describeProgress, Action<string> log, CancellationToken cancellationToken)
    {
        long next = -1, loaded = 0, failed = 0;
        string? lastError = null;
        var clock = Stopwatch.StartNew();
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(options.LoadLimit);

        async Task WorkerAsync()
        {
            while (!limit.IsCancellationRequested)
            {
                long n = Interlocked.Increment(ref next);
                if (n >= options.Keys)
                    return;
                for (int attempt = 1; ; attempt++)
                {
                    try
                    {
                        await client.SetAsync(FootprintKeys.Key(n), keys.Value(n), durability: options.Durability, cancellationToken: limit.Token)
                            .ConfigureAwait(false);
                        Interlocked.Increment(ref loaded);
                        break;
                    }
                    catch (OperationCanceledException) when (limit.IsCancellationRequested)
                    {
                        return;
                    }
                    catch (Exception ex) when (ex is KahunaException or IOException or TimeoutException)
                    {
                        lastError = ex.Message;
                        if (attempt < Attempts)
                            continue;
                        Interlocked.Increment(ref failed);
                        break;
                    }
                }
            }
        }

        var workers = Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(WorkerAsync, CancellationToken.None)).ToList();
        var all = Task.WhenAll(workers);
        long before = 0;
        var lastReport = clock.Elapsed;
        while (await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(2), CancellationToken.None)).ConfigureAwait(false) != all)
        {
            long now = Interlocked.Read(ref loaded);
            var elapsed = clock.Elapsed;
            double rate = (now - before) / Math.Max(1e-3, (elapsed - lastReport).TotalSeconds);
            log($"load: {now:N0}/{options.Keys:N0} keys, {rate:N0}/s, {Interlocked.Read(ref failed)} failed, {describeProgress(now)}");
            before = now;
            lastReport = elapsed;
        }
        await all.ConfigureAwait(false);
        double seconds = clock.Elapsed.TotalSeconds;
        cancellationToken.ThrowIfCancellationRequested();
        return new LoadFigure(options.Keys, loaded, failed, Math.Round(seconds, 1), Math.Round(loaded / Math.Max(seconds, 1e-3)),
            loaded == options.Keys, lastError);
    }

    /// <summary>Writes every probe key (persistently, whatever the run's durability) so each partition has a known key.</summary>
    public static async Task WriteProbesAsync(KahunaClient client, FootprintKeys keys, CancellationToken cancellationToken)
    {
        foreach (var probe in keys.Probes)
        {
            var result = await client.SetAsync(probe.Key, FootprintKeys.ProbeValue(probe.Key), durability: Durability.Persistent,
                cancellationToken: cancellationToken).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new InvalidOperationException($"the probe key {probe.Key} could not be written");
        }
    }
}
