using Kahuna.Protocol.Client;
using Kahuna.Tests.ProcessLevel;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults.Storage;

/// <summary>
/// kill -9 of every node in the middle of a persistent write load, then a restart: every acknowledged write is there,
/// and no write is applied twice, in particular not the ones in flight at the crash, whose clients keep retrying the
/// same operation id across the restart (the de-duplication records must have survived on disk too).
/// </summary>
[Collection("cluster")]
public sealed class KillAllDurabilityTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task KillDashNine_OfAllNodes_MidWrites_AcknowledgedWritesPresent_NoneAppliedTwice()
    {
        await using var cluster = await KahunaProcessCluster.StartAsync(output);
        await cluster.RunAsync(async () =>
        {
            var ledger = new WriteLedger();
            using var stopStarting = new CancellationTokenSource();
            // Long client timeouts: a write caught by the crash keeps retrying (same operation id) until the cluster is back.
            var clients = cluster.NodeIds.Select(id => cluster.CreateClient(cluster.NodeIds.SkipWhile(n => n != id).Concat(cluster.NodeIds.TakeWhile(n => n != id)).ToList(),
                requestTimeout: TimeSpan.FromSeconds(45), connectionsPerEndpoint: 1)).ToList();
            var writers = Enumerable.Range(0, 6).Select(w => Task.Run(() => ledger.WriteUntilAsync(cluster, clients[w % clients.Count], w, stopStarting.Token))).ToList();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (ledger.Acknowledged < 300)
            {
                Assert.True(clock.Elapsed < Within, $"only {ledger.Acknowledged} writes acknowledged within {Within.TotalSeconds:0} s");
                Assert.DoesNotContain(writers, w => w.IsFaulted);
                await Task.Delay(20);
            }

            cluster.KillAll();
            stopStarting.Cancel();
            int acknowledgedAtCrash = ledger.Acknowledged;
            await cluster.StartStoppedNodesAsync();
            await cluster.WaitHealthyAsync(Within);
            await Task.WhenAll(writers); // the writes caught by the crash end here: acknowledged after the restart, or unknown
            foreach (var client in clients) await client.DisposeAsync();

            await using var reader = cluster.CreateClient();
            var problems = new List<string>();
            int present = 0, unknownPresent = 0;
            foreach (var (key, (value, outcome)) in ledger.Writes)
            {
                var got = await reader.GetAsync(key);
                if (!got.Found)
                {
                    if (outcome == WriteOutcome.Acknowledged) problems.Add($"{key}: acknowledged '{value}' is missing");
                    continue;
                }
                present++;
                if (outcome == WriteOutcome.Unknown) unknownPresent++;
                if (got.ValueAsString() != value) problems.Add($"{key}: holds '{got.ValueAsString()}', only '{value}' was ever written");
                // One write, one version: an older version of the key means the write was applied twice.
                if (got.Revision > 1 && (await reader.GetAtRevisionAsync(key, got.Revision - 1)).Found)
                    problems.Add($"{key}: '{value}' has a version below revision {got.Revision}: applied twice");
            }
            output.WriteLine($"{ledger.Writes.Count} writes attempted, {acknowledgedAtCrash} acknowledged before the crash, {ledger.Acknowledged} in all; " +
                $"{present} present after the restart ({unknownPresent} whose outcome the writer never learned); {problems.Count} problems");
            Assert.True(problems.Count == 0, string.Join("\n", problems.Take(20)));
        });
    }
}
