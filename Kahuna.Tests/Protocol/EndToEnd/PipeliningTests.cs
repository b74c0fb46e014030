using System.Collections.Concurrent;
using System.Text;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.EndToEnd;

public class PipeliningTests
{
    [Fact]
    public async Task ThousandConcurrentRequestsOnOneConnection_CompleteInReverseOrder_EachWithItsOwnAnswer()
    {
        const int count = 1000;
        await using var server = TestServer.Start();
        var held = new ConcurrentDictionary<string, TaskCompletionSource>();
        var allArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.Handler.Intercept = async (request, ct) =>
        {
            if (request is not GetRequest get)
                return null;
            var gate = held.GetOrAdd(get.Key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
            if (held.Count == count)
                allArrived.TrySetResult();
            await gate.Task.WaitAsync(ct);
            return new GetResponse { Status = KahunaStatus.Ok, Value = Encoding.UTF8.GetBytes(get.Key), Revision = int.Parse(get.Key[4..]) };
        };
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await client.PingAsync();

        var completionOrder = new ConcurrentQueue<int>();
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            var result = await client.GetAsync($"key-{i}");
            completionOrder.Enqueue(i);
            return (i, result);
        }).ToArray();
        await allArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));
        for (int i = count - 1; i >= 0; i--)
        {
            held[$"key-{i}"].SetResult();
            if (i % 100 == 0) // let some answers out before releasing the rest, so the order is really reversed
                await Eventually.TrueAsync(() => completionOrder.Count >= count - i, TimeSpan.FromSeconds(10), "answers arrive");
        }
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.Equal($"key-{r.i}", r.result.ValueAsString()));
        Assert.All(results, r => Assert.Equal(r.i, r.result.Revision));
        Assert.Equal(1, server.Server.ConnectionCount);
        Assert.True(completionOrder.First() > completionOrder.Last(), "answers came out of order");
    }

    [Fact]
    public async Task InFlightLimit_StopsReadingUntilAnAnswerCompletes()
    {
        const int limit = 8;
        await using var server = TestServer.Start(KahunaServerSettings.Default with { MaxInFlightPerConnection = limit });
        var release = new SemaphoreSlim(0);
        server.Handler.Intercept = async (request, ct) =>
        {
            if (request is GetRequest)
                await release.WaitAsync(ct);
            return null;
        };
        await using var client = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await using var other = server.CreateClient();

        var calls = Enumerable.Range(0, 20).Select(i => client.GetAsync($"k{i}")).ToArray();
        await Eventually.TrueAsync(() => server.Handler.Received.Count == limit, TimeSpan.FromSeconds(10), "the first requests arrive");
        await other.PingAsync(); // the server is responsive on other connections meanwhile...
        Assert.Equal(limit, server.Handler.Received.Count); // ...but read no further on the full one

        release.Release();
        await Eventually.TrueAsync(() => server.Handler.Received.Count == limit + 1, TimeSpan.FromSeconds(10), "one more request is read");
        release.Release(100);
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.False(r.Found));
    }

    [Fact]
    public async Task ManyClientsAndConnections_AllAnswered()
    {
        await using var server = TestServer.Start();
        var clients = Enumerable.Range(0, 4).Select(_ => server.CreateClient(o => o with { ConnectionsPerEndpoint = 3 })).ToArray();

        var sets = clients.SelectMany((c, ci) => Enumerable.Range(0, 200).Select(i => c.SetAsync($"c{ci}-{i}", $"{i}"))).ToArray();
        var results = await Task.WhenAll(sets).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Equal(800, server.Handler.AppliedWrites);
        foreach (var client in clients)
            await client.DisposeAsync();
    }
}
