using System.Diagnostics;
using Kahuna.Protocol.Client;

namespace Kahuna.Tests.ProcessLevel;

// Readiness: polled with the real client within a deadline, never a fixed sleep.
public sealed partial class KahunaProcessCluster
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>One round of health requests; short, so a round sent before the cluster formed does not delay the next.</summary>
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Waits until every running node answers a ping, takes a write in every partition through itself alone, and lists
    /// every running node as a member. The last matters: a node can serve (its router reaches the leaders) while a
    /// peer has not yet learned of it; killing the seed in that window leaves the newcomer unknown to the others.
    /// </summary>
    public async Task WaitHealthyAsync(TimeSpan within)
    {
        var running = NodeIds.Where(IsRunning).ToArray();
        await Task.WhenAll(running.Select(id => WaitServesAsync(id, within)));
        await Task.WhenAll(running.Select(id => WaitSeesMembersAsync(id, running, within)));
    }

    /// <summary>Waits until <paramref name="nodeId"/>'s cluster status lists every node in <paramref name="members"/>.</summary>
    public async Task WaitSeesMembersAsync(string nodeId, IReadOnlyCollection<string> members, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        string lastProblem = "no attempt finished";
        while (clock.Elapsed < within)
        {
            if (!IsRunning(nodeId))
                throw new InvalidOperationException($"node {nodeId} is not running");
            await using var client = ClientOf(nodeId, requestTimeout: AttemptTimeout);
            try
            {
                var known = (await client.GetClusterStatusAsync()).Members.Select(m => m.NodeId).ToHashSet();
                var missing = members.Where(m => !known.Contains(m)).ToArray();
                if (missing.Length == 0) return;
                lastProblem = $"missing {string.Join(",", missing)}";
            }
            catch (KahunaException ex)
            {
                lastProblem = ex.Message;
            }
            await Task.Delay(PollInterval);
        }
        throw new TimeoutException($"node {nodeId} did not list every member within {within.TotalSeconds:0} s; last problem: {lastProblem}");
    }

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
