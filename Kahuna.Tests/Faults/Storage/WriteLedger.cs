using System.Collections.Concurrent;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Faults.Workloads;
using Kahuna.Tests.ProcessLevel;

namespace Kahuna.Tests.Faults.Storage;

/// <summary>What a writer learned about one write to a fresh key.</summary>
internal enum WriteOutcome
{
    Acknowledged,
    Unknown,
}

/// <summary>
/// Writers that each put a value under a key nobody else writes (one key per write), recording what they learned. A
/// key written once has exactly one version, so a second version can only mean the write was applied twice.
/// </summary>
internal sealed class WriteLedger
{
    private readonly ConcurrentDictionary<string, (string Value, WriteOutcome Outcome)> _writes = new(StringComparer.Ordinal);
    private int _acknowledged;

    public IReadOnlyDictionary<string, (string Value, WriteOutcome Outcome)> Writes => _writes;

    public int Acknowledged => Volatile.Read(ref _acknowledged);

    /// <summary>Writes fresh keys until <paramref name="stopStarting"/> is set; a write already started runs to its own end (its client retries with the same operation id until its timeout).</summary>
    public async Task WriteUntilAsync(KahunaProcessCluster cluster, KahunaClient client, int writer, CancellationToken stopStarting)
    {
        for (int i = 0; !stopStarting.IsCancellationRequested; i++)
        {
            var key = cluster.Keys.Key(i % cluster.Keys.Count, $"durable/{writer}/{i}");
            var value = $"w{writer}-{i}";
            _writes[key] = (value, WriteOutcome.Unknown);
            try
            {
                var set = await client.SetAsync(key, value);
                if (set.Succeeded)
                {
                    _writes[key] = (value, WriteOutcome.Acknowledged);
                    Interlocked.Increment(ref _acknowledged);
                }
            }
            catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
            {
                // Unknown: it may or may not have been applied.
            }
        }
    }
}
