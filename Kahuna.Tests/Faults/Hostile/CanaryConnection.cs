using System.Net;
using System.Text;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Faults.Hostile;

/// <summary>
/// One healthy connection kept open for a whole hostile test: it writes fresh values to keys in two partitions and
/// reads them back, over the same socket every time, and times each round so starvation shows.
/// </summary>
internal sealed class CanaryConnection : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);
    private readonly RawConnection _connection;
    private readonly string[] _keys;
    private readonly Guid _clientId = Guid.NewGuid();
    private long _sequence;
    private ulong _requestId = 1_000_000;

    private CanaryConnection(RawConnection connection, string[] keys)
    {
        _connection = connection;
        _keys = keys;
    }

    public TimeSpan SlowestRound { get; private set; }
    public int Rounds { get; private set; }

    public static async Task<CanaryConnection> OpenAsync(IPEndPoint endpoint, params string[] keys) =>
        new(await RawConnection.ConnectAndHelloAsync(endpoint), keys);

    public async Task WriteAndReadBackAsync()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        foreach (var key in _keys)
        {
            var value = Encoding.UTF8.GetBytes($"alive {++_sequence}");
            var set = await AskAsync(new SetRequest
            {
                OperationId = OperationId.Create(_clientId, _sequence), Key = key, Value = value, Durability = Durability.Persistent,
            });
            Assert.Equal(KahunaStatus.Ok, set.Status);
            var got = Assert.IsType<GetResponse>(await AskAsync(new GetRequest { Key = key, Durability = Durability.Persistent }));
            Assert.Equal(value, got.Value);
        }
        Rounds++;
        if (clock.Elapsed > SlowestRound) SlowestRound = clock.Elapsed;
    }

    private async Task<KahunaResponse> AskAsync(KahunaRequest request)
    {
        ulong id = ++_requestId;
        await _connection.SendRequestAsync(id, request);
        var (answeredId, response) = await _connection.ReadResponseAsync(Wait);
        Assert.Equal(id, answeredId);
        return response;
    }

    public ValueTask DisposeAsync() => _connection.DisposeAsync();
}
