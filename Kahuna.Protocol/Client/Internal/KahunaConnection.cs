using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Kahuna.Protocol.Concurrency;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// One pipelined connection to one node: requests are written as they come (coalesced into one flush
/// per batch), answers are matched to their callers by request id in any order, by a single reader loop.
/// When anything goes wrong the connection fails every pending request with a retryable
/// <see cref="KahunaConnectionException"/> and is never used again; the pool makes a new one.
/// </summary>
internal sealed partial class KahunaConnection : IAsyncDisposable
{
    private readonly Socket _socket;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly int _maxFrameBytes;
    private readonly Channel<(ulong Id, KahunaRequest Request)> _outgoing;
    private readonly PendingRequests _pending;
    private readonly CancellationTokenSource _closed = new();
    private Task _readLoop = Task.CompletedTask;
    private Task _writeLoop = Task.CompletedTask;
    private volatile KahunaConnectionException? _failure;

    private KahunaConnection(EndpointAddress endpoint, Socket socket, Stream stream, KahunaClientOptions options)
    {
        Endpoint = endpoint;
        _socket = socket;
        _maxFrameBytes = options.MaxFrameBytes;
        _input = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024));
        _output = PipeWriter.Create(stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        // Bounded by the in-flight slots every request takes before it is queued.
        _outgoing = Channel.CreateUnbounded<(ulong, KahunaRequest)>(new UnboundedChannelOptions { SingleReader = true });
        _pending = new PendingRequests(options.MaxInFlightPerConnection);
        StartSweep(options.RequestTimeout);
    }

    /// <summary>The node this connection talks to.</summary>
    public EndpointAddress Endpoint { get; }

    /// <summary>The node id the server gave in its handshake.</summary>
    public string? NodeId { get; private set; }

    /// <summary>False once the connection has failed or been closed.</summary>
    public bool IsOpen => _failure is null;

    /// <summary>Opens a connection and completes the handshake, within the connect timeout.</summary>
    public static async Task<KahunaConnection> OpenAsync(EndpointAddress endpoint, KahunaClientOptions options, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        Socket socket = IPAddress.TryParse(endpoint.Host, out var address)
            ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(SocketType.Stream, ProtocolType.Tcp);
        KahunaConnection? connection = null;
        try
        {
            socket.NoDelay = true;
            if (address is not null)
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), timeout.Token).ConfigureAwait(false);
            else
                await socket.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token).ConfigureAwait(false);

            Stream stream = new NetworkStream(socket, ownsSocket: false);
            if (options.UseTls) stream = await TlsClient.AuthenticateAsync(stream, endpoint.Host, options, timeout.Token).ConfigureAwait(false);
            connection = new KahunaConnection(endpoint, socket, stream, options);
            connection.Start();
            var hello = new HelloRequest { ProtocolVersion = ProtocolInfo.Version, ClientName = options.ClientName, Credential = options.Credential };
            var reply = await connection.SendAsync(hello, Deadlines.None, timeout.Token).ConfigureAwait(false);
            if (reply.Status != KahunaStatus.Ok)
                throw new KahunaConnectionException(reply.Status, $"{endpoint} refused the handshake: {reply.Message}", isRetryable: IsRetryableStatus(reply.Status));
            if (reply is not HelloReply helloReply)
                throw new KahunaConnectionException(KahunaStatus.ProtocolError, $"{endpoint} answered the handshake with {reply.GetType().Name}", isRetryable: false);
            connection.NodeId = helloReply.NodeId;
            return connection;
        }
        catch (Exception ex)
        {
            if (connection is not null)
                await connection.DisposeAsync().ConfigureAwait(false);
            else
                socket.Dispose();
            if (ex is KahunaConnectionException)
                throw;
            if (ex is OperationCanceledException && cancellationToken.IsCancellationRequested)
                throw;
            string why = ex is OperationCanceledException ? $"no answer within {DurationText.Of(options.ConnectTimeout)}" : ex.Message;
            throw new KahunaConnectionException(KahunaStatus.Unavailable, $"cannot connect to {endpoint}: {why}", isRetryable: true, ex);
        }
    }

    /// <summary>
    /// Sends one request and awaits its answer. Throws <see cref="KahunaConnectionException"/> if the connection
    /// fails first, <see cref="RequestDeadlineExceededException"/> once the <see cref="System.Diagnostics.Stopwatch"/>
    /// timestamp <paramref name="deadline"/> has passed, <see cref="OperationCanceledException"/> if
    /// <paramref name="cancellationToken"/> fires.
    /// </summary>
    public ValueTask<KahunaResponse> SendAsync(KahunaRequest request, long deadline, CancellationToken cancellationToken) =>
        _pending.TryRent(out var slot) ? Send(slot, request, deadline, cancellationToken) : SendWhenASlotFreesAsync(request, deadline, cancellationToken);

    private async ValueTask<KahunaResponse> SendWhenASlotFreesAsync(KahunaRequest request, long deadline, CancellationToken cancellationToken)
    {
        var slot = await _pending.RentAsync(Deadlines.Remaining(deadline), cancellationToken).ConfigureAwait(false)
                   ?? throw new RequestDeadlineExceededException();
        return await Send(slot, request, deadline, cancellationToken).ConfigureAwait(false);
    }

    private ValueTask<KahunaResponse> Send(ReusableWait<KahunaResponse> slot, KahunaRequest request, long deadline, CancellationToken cancellationToken)
    {
        ulong id = slot.Arm(deadline);
        ArmSweep();
        slot.CancelWith(cancellationToken);
        if (_failure is { } failure)
            slot.TryComplete(id, null, failure);
        else if (!_outgoing.Writer.TryWrite((id, request)))
            slot.TryComplete(id, null, _failure ?? Closed());
        return slot.AsValueTask();
    }

    /// <summary>Closes the connection; pending requests fail with a retryable connection error.</summary>
    public async ValueTask DisposeAsync()
    {
        Fail(Closed());
        await _readLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _writeLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void Start()
    {
        _readLoop = Task.Run(ReadLoopAsync);
        _writeLoop = Task.Run(WriteLoopAsync);
    }

    private KahunaConnectionException Closed() =>
        new(KahunaStatus.Unavailable, $"the connection to {Endpoint} is closed", isRetryable: true);

    /// <summary>Marks the connection dead (first failure wins) and fails everything pending with it.</summary>
    private void Fail(KahunaConnectionException failure)
    {
        if (Interlocked.CompareExchange(ref _failure, failure, null) is not null)
            return;
        _outgoing.Writer.TryComplete();
        StopSweep();
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
        try
        {
            _socket.Dispose();
        }
        catch (Exception)
        {
            // Already broken.
        }
        _pending.FailAll(failure);
    }

    internal static bool IsRetryableStatus(KahunaStatus status) =>
        status is KahunaStatus.Retry or KahunaStatus.Overloaded or KahunaStatus.NotLeader or KahunaStatus.Timeout or KahunaStatus.Unavailable;
}
