using System.Net;
using System.Net.Sockets;
using Kahuna.Node.Cli;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Cli.Support;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>`kahuna seq next`, and how faults (unreachable cluster, server errors) are reported.</summary>
public sealed class SequenceAndFailureTests : IAsyncLifetime
{
    private TestServer _server = null!;
    private CliRunner _cli = null!;

    public Task InitializeAsync()
    {
        _server = TestServer.Start();
        _cli = CliRunner.For(_server.Endpoint);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SeqNext_PrintsTheValue_ThenARangeWithCount()
    {
        var one = await _cli.RunAsync("seq", "next", "orders");
        var range = await _cli.RunAsync("seq", "next", "orders", "--count", "3");
        var json = await _cli.RunAsync("seq", "next", "orders", "--count", "2", "--json");

        Assert.Equal(ExitCodes.Success, one.ExitCode);
        Assert.Equal("1", one.Out.Trim());
        Assert.Equal("2..4 (start=2 count=3)", range.Out.Trim());
        var fields = json.Json();
        Assert.Equal("Ok", fields.GetProperty("status").GetString());
        Assert.Equal("orders", fields.GetProperty("name").GetString());
        Assert.Equal(5, fields.GetProperty("start").GetInt64());
        Assert.Equal(2, fields.GetProperty("count").GetInt32());
        Assert.Equal(7, fields.GetProperty("end").GetInt64());
    }

    [Fact]
    public async Task SeqNext_WithTheSameIdempotencyKey_ReturnsTheSameRange()
    {
        var first = await _cli.RunAsync("seq", "next", "ids", "--count", "10", "--idempotency-key", "batch-7", "--json");
        var retry = await _cli.RunAsync("seq", "next", "ids", "--count", "10", "--idempotency-key", "batch-7", "--json");

        Assert.Equal(first.Json().GetProperty("start").GetInt64(), retry.Json().GetProperty("start").GetInt64());
    }

    [Fact]
    public async Task UnreachableEndpoint_ExitsThree_WithUnavailable()
    {
        var cli = CliRunner.For($"127.0.0.1:{ClosedPort()}");

        var human = await cli.RunAsync("kv", "get", "k", "--timeout", "300ms");
        var json = await cli.RunAsync("lock", "acquire", "r", "--lease", "1s", "--timeout", "300ms", "--json");

        Assert.Equal(ExitCodes.Error, human.ExitCode);
        Assert.Equal("", human.Out);
        Assert.Contains("error: cannot reach the cluster (Unavailable)", human.Error);
        Assert.Equal(ExitCodes.Error, json.ExitCode);
        Assert.Equal("Unavailable", json.Status);
        Assert.False(string.IsNullOrEmpty(json.Json().GetProperty("message").GetString()));
        Assert.Contains("cannot reach", json.Error);
    }

    [Fact]
    public async Task EndpointsFlag_WinsOverTheEnvironmentVariable()
    {
        var cli = CliRunner.For($"127.0.0.1:{ClosedPort()}");

        var run = await cli.RunAsync("seq", "next", "s", "--endpoints", _server.Endpoint);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
    }

    [Fact]
    public async Task ServerError_ExitsThree_WithItsStatusAndMessage()
    {
        _server.Handler.Intercept = (_, _) => ValueTask.FromResult<KahunaResponse?>(ErrorResponse.Create(KahunaStatus.InternalError, "disk on fire"));

        var run = await _cli.RunAsync("kv", "set", "k", "v", "--json");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("InternalError", run.Status);
        Assert.Contains("disk on fire", run.Json().GetProperty("message").GetString());
        Assert.Contains("disk on fire", run.Error);
    }

    [Fact]
    public async Task InvalidInput_RejectedByTheClient_ExitsThree()
    {
        var run = await _cli.RunAsync("kv", "set", new string('k', 5000), "v", "--json");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains(run.Status, new[] { "InvalidInput", "TooLarge" });
    }

    [Fact]
    public async Task Interrupted_WhileWaiting_ExitsThree()
    {
        _server.Handler.Intercept = async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return null;
        };
        using var interrupt = new CancellationTokenSource();

        var running = _cli.RunAsync(interrupt.Token, "kv", "get", "k", "--json");
        await Eventually.TrueAsync(() => !_server.Handler.Received.IsEmpty, TimeSpan.FromSeconds(10), "the request reached the server");
        interrupt.Cancel();
        var run = await running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Equal("Cancelled", run.Status);
    }

    /// <summary>A port on 127.0.0.1 that nothing listens on (taken from the OS, then released).</summary>
    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
