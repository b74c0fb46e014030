using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.ProcessLevel.Regressions;

/// <summary>
/// Found while building the process fixture: when every node's only seed is n1 (what the README once said), a
/// restarted n1 joined itself and founded a second, separate one-node cluster that answered Timeout forever. Now a
/// member restarting from existing data with only itself as seed refuses to start and says how to fix it.
/// </summary>
[Collection("cluster")]
public sealed class SeedListTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task FirstSeedRestarted_WithOnlyItselfAsSeed_RefusesInsteadOfFoundingASecondCluster()
    {
        await using var cluster = await KahunaProcessCluster.StartAsync(output, SeedList.FirstNodeOnly);
        await cluster.RunAsync(async () =>
        {
            cluster.KillNode("n1");
            await cluster.WaitServesAsync("n2", Within);

            await cluster.StartNodeAsync("n1", waitUntilServing: false);
            await cluster.WaitForLogLineAsync("would found a new, separate cluster", sinceStartOf: "n1", Within, CancellationToken.None);
            await cluster.WaitExitedAsync("n1", Within);
            // The rest of the cluster is unaffected.
            await cluster.WaitServesAsync("n2", Within);
        });
    }
}
