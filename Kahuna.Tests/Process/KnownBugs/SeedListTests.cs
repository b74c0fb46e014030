using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.ProcessLevel.KnownBugs;

/// <summary>
/// Found while building the process fixture. README "Running a real cluster" starts every node with
/// <c>--seeds</c> = n1's cluster port only. That is fine the first time, but when n1 restarts, its only seed is
/// itself, so Akka lets it join itself and found a new one-node cluster instead of rejoining n2 and n3: it never
/// reaches the other replicas again and answers every request with Timeout, until someone restarts it with another
/// seed list.
/// </summary>
[Collection("cluster")]
public sealed class SeedListTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task FirstSeedRestarted_WithTheReadmeSeedList_RejoinsTheRunningCluster()
    {
        await using var cluster = await KahunaProcessCluster.StartAsync(output, SeedList.FirstNodeOnly);
        await cluster.RunAsync(async () =>
        {
            cluster.KillNode("n1");
            await cluster.WaitServesAsync("n2", Within);

            await cluster.StartNodeAsync("n1");
            using var stop = new CancellationTokenSource();
            var foundedAnotherCluster = cluster.WaitForLogLineAsync("is JOINING itself", sinceStartOf: "n1", Within, stop.Token);
            var serves = cluster.WaitServesAsync("n1", Within, stop.Token);
            var first = await Task.WhenAny(foundedAnotherCluster, serves);
            stop.Cancel();
            await Task.WhenAll(foundedAnotherCluster, serves).ContinueWith(_ => { }); // both end; only the first one matters

            Assert.False(first == foundedAnotherCluster && first.IsCompletedSuccessfully,
                "n1, restarted with the README's seed list (itself only), joined itself and founded a new one-node cluster");
            await first; // rethrows if n1 neither served nor founded a cluster in time
        });
    }
}
