using System.Diagnostics;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Xunit;

namespace Kahuna.Tests.Node.Cluster;

/// <summary>
/// Clients far above capacity through the real TCP path: nodes shed the excess with Overloaded instead of queueing
/// it, every request ends (success, or Overloaded/Timeout after the client's retries) within its deadline, and the
/// cluster serves normally as soon as the load stops.
/// </summary>
[Collection("cluster")]
public sealed class OverloadTests
{
    private const int MaxInFlight = 16;
    private const int Offered = 3000;

    [Fact]
    public async Task FarAboveCapacity_NodesShedLoad_EveryRequestEnds_AndServiceRecovers()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2, overrides: $"kahuna.requests.max-in-flight = {MaxInFlight}");
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = cluster.Endpoints.Split(','),
            RequestTimeout = TimeSpan.FromSeconds(15),
        });
        Assert.True((await client.SetAsync("overload/warm", "x")).Succeeded);

        // 3,000 writes at once against nodes that admit 16 each: ~60x their admission limit.
        var value = new byte[512];
        var blast = Enumerable.Range(0, Offered).Select(async i =>
        {
            try
            {
                return (await client.SetAsync($"overload/{i}", value)).Succeeded ? KahunaStatus.Ok : KahunaStatus.PreconditionFailed;
            }
            catch (KahunaException e)
            {
                return e.Status;
            }
        }).ToList();
        var outcomes = await Task.WhenAll(blast).WaitAsync(TimeSpan.FromSeconds(90));

        Assert.True(cluster.Nodes.Sum(n => n.Router.Refused) > 0, "the nodes must have shed part of the load");
        Assert.All(outcomes, s => Assert.True(s is KahunaStatus.Ok or KahunaStatus.Overloaded or KahunaStatus.Timeout, $"unexpected outcome {s}"));
        Assert.True(outcomes.Count(s => s == KahunaStatus.Ok) > Offered / 10, "admitted writes must still get through");
        Assert.All(cluster.Nodes, n => Assert.Equal(0, n.Router.InFlight));

        // The load is gone: requests go through at once again, and what was acknowledged is there.
        var acknowledged = Enumerable.Range(0, Offered).Where(i => outcomes[i] == KahunaStatus.Ok).Take(50).ToList();
        var timer = Stopwatch.StartNew();
        foreach (var i in acknowledged)
            Assert.Equal(512, (await client.GetAsync($"overload/{i}")).Value!.Length);
        for (var i = 0; i < 20; i++)
            Assert.True((await client.SetAsync($"overload/after/{i}", "y")).Succeeded);
        Assert.True(timer.Elapsed < TimeSpan.FromSeconds(15), $"70 requests after the load took {timer.Elapsed}");
    }
}
