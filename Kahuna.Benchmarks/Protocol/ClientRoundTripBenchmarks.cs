using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using MessagePack;

namespace Kahuna.Benchmarks;

/// <summary>
/// The client's own cost per call: 64 callers each sending gets through one <see cref="KahunaClient"/> to a loopback
/// server that answers every request with the same pre-built answer, at almost no cost of its own. What is left is
/// the client's work (validation, routing, the in-flight slot, the pending table, the writer and reader loops,
/// the codec, timeouts) plus the loopback sockets. Allocations count the whole process, the stand-in server's too,
/// which allocates next to nothing per request. <see cref="EphemeralSet"/> adds a write's own work: its operation id,
/// the floor of answered operations, and the 128-byte value on the wire.
/// </summary>
[MemoryDiagnoser]
public class ClientRoundTripBenchmarks
{
    private const int Callers = 64;
    private const int CallsPerCaller = 200;

    private static readonly byte[] Value = new byte[128];

    private AnsweringServer _server = null!;
    private KahunaClient _client = null!;

    [GlobalSetup(Target = nameof(EphemeralGet))]
    public Task SetupGet() => SetupAsync(new GetResponse { Status = KahunaStatus.Ok, Value = new byte[128], Revision = 7 });

    [GlobalSetup(Target = nameof(EphemeralSet))]
    public Task SetupSet() => SetupAsync(new SetResponse { Status = KahunaStatus.Ok, Revision = 7 });

    private async Task SetupAsync(KahunaResponse answer)
    {
        _server = AnsweringServer.Start(answer);
        _client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{_server.Port}"],
            RouteToLeaders = false,
            ConnectionsPerEndpoint = 1,
        });
        await _client.PingAsync();
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        await _client.DisposeAsync();
        _server.Dispose();
    }

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task EphemeralGet() => AllCallersAsync(GetCallsAsync);

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public Task EphemeralSet() => AllCallersAsync(SetCallsAsync);

    private Task AllCallersAsync(Func<KahunaClient, string, Task> calls)
    {
        var callers = new Task[Callers];
        for (int i = 0; i < Callers; i++)
            callers[i] = calls(_client, "bench/key-" + i);
        return Task.WhenAll(callers);
    }

    private static async Task SetCallsAsync(KahunaClient client, string key)
    {
        for (int i = 0; i < CallsPerCaller; i++)
        {
            var result = await client.SetAsync(key, Value, durability: Durability.Ephemeral).ConfigureAwait(false);
            if (!result.Succeeded)
                throw new InvalidOperationException("the stand-in server always answers written");
        }
    }

    private static async Task GetCallsAsync(KahunaClient client, string key)
    {
        for (int i = 0; i < CallsPerCaller; i++)
        {
            var result = await client.GetAsync(key, Durability.Ephemeral).ConfigureAwait(false);
            if (!result.Found)
                throw new InvalidOperationException("the stand-in server always answers found");
        }
    }

    /// <summary>
    /// Accepts connections; answers the first request of each (the handshake) with a HelloReply and every later one
    /// with the same answer, echoing the request id read straight from the envelope (no request is decoded).
    /// </summary>
    private sealed class AnsweringServer : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly KahunaResponse _answer;

        private AnsweringServer(TcpListener listener, KahunaResponse answer)
        {
            _listener = listener;
            _answer = answer;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static AnsweringServer Start(KahunaResponse answer)
        {
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var server = new AnsweringServer(listener, answer);
            _ = Task.Run(server.AcceptLoopAsync);
            return server;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _listener.Stop();
        }

        private async Task AcceptLoopAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                Socket socket;
                try
                {
                    socket = await _listener.AcceptSocketAsync(_stop.Token);
                }
                catch (Exception)
                {
                    return;
                }
                socket.NoDelay = true;
                _ = Task.Run(() => ServeAsync(socket));
            }
        }

        private async Task ServeAsync(Socket socket)
        {
            using var owned = socket;
            var stream = new NetworkStream(socket, ownsSocket: false);
            var input = PipeReader.Create(stream);
            var output = PipeWriter.Create(stream);
            var scratch = new ArrayBufferWriter<byte>(1024);
            bool greeted = false;
            try
            {
                while (true)
                {
                    var read = await input.ReadAsync(_stop.Token);
                    var buffer = read.Buffer;
                    while (FrameCodec.TryReadFrame(ref buffer, ProtocolLimits.DefaultMaxFrameBytes, out var payload, out _) == FrameReadStatus.Complete)
                    {
                        var reader = new MessagePackReader(payload);
                        reader.ReadArrayHeader();
                        ulong id = reader.ReadUInt64();
                        scratch.ResetWrittenCount();
                        MessageCodec.EncodeResponse(scratch, id, greeted ? _answer : new HelloReply { ProtocolVersion = ProtocolInfo.Version, NodeId = "stand-in" });
                        greeted = true;
                        FrameCodec.WriteFrame(output, scratch.WrittenSpan);
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                    await output.FlushAsync(_stop.Token);
                    if (read.IsCompleted)
                        return;
                }
            }
            catch (Exception)
            {
                // The client went away or the benchmark ended.
            }
        }
    }
}
