using System.Diagnostics;
using Kahuna.Protocol.Client;

namespace Kahuna.Tests.ProcessLevel;

// Readiness: polled with the real client within a deadline, never a fixed sleep.
public sealed partial class KahunaProcessCluster
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>One round of health requests; short, so a round sent before the cluster formed does not delay the next.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

    /// <summary>Waits until every running node answers a ping and takes a write in every partition through itself alone.</summary>
    public Task WaitHealthyAsync(TimeSpan within) =>
        Task.WhenAll(NodeIds.Where(IsRunning).Select(id => WaitServesAsync(id, within)));

    /// <summary>
    /// Waits until <paramref name="nodeId"/>, on its own, answers a ping and gets a persistent write acknowledged in every
    /// partition (so every partition has a leader it can reach). Fails at once if the process has exited.
    /// </summary>
    public async Task WaitServesAsync(string nodeId, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var clock = Stopwatch.StartNew();
        string lastProblem = "no attempt finished";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!IsRunning(nodeId))
                throw new InvalidOperationException($"node {nodeId} is not running");
            var remaining = within - clock.Elapsed;
            if (remaining <= TimeSpan.Zero)
                throw new TimeoutException($"node {nodeId} did not serve a ping and a write in every partition within {within.TotalSeconds:0} s; last problem: {lastProblem}");
            await using var client = ClientOf(nodeId, requestTimeout: remaining < AttemptTimeout ? remaining : AttemptTimeout);
            try
            {
                await client.PingAsync();
                var writes = await Task.WhenAll(Keys.All.Select(p => client.SetAsync(Keys.Key(p, $"health/{nodeId}"), "ok")));
                if (writes.All(w => w.Succeeded))
                    return;
                lastProblem = "a write was not applied";
            }
            catch (KahunaException ex)
            {
                lastProblem = ex.Message;
            }
            await Task.Delay(PollInterval, cancellationToken);
        }
    }
}
