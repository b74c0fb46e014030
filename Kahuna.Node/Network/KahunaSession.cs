using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

/// <summary>
/// One client connection: a read loop that cuts frames, decodes and dispatches them, and a write loop
/// that encodes answers as they complete and flushes when nothing more is ready (write coalescing).
/// Knows frames and the handshake, nothing of storage.
/// </summary>
/// <remarks>
/// Memory is bounded per connection: a request takes an in-flight slot before it is dispatched and
/// gives it back only once its answer has been flushed to the socket, so a client that sends faster
/// than it reads (or never reads) stops being read once it has <c>MaxInFlightPerConnection</c>
/// answers outstanding. The answer queue is therefore bounded by the slot count (plus the one final
/// error answer), although the channel type is unbounded.
/// </remarks>
internal sealed partial class KahunaSession
{
    private readonly Socket _socket;
    private readonly Stream _stream;
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private readonly IKahunaRequestHandler _handler;
    private readonly IConnectionAuthenticator _authenticator;
    private readonly KahunaServerSettings _settings;
    private readonly Channel<OutgoingResponse> _responses;
    private readonly SemaphoreSlim _inFlightSlots;
    // Cancelled to stop reading gracefully: in-flight answers are still written.
    private readonly CancellationTokenSource _stopReading = new();
    // Cancelled to cut everything at once: handlers, writes, the socket.
    private readonly CancellationTokenSource _abort = new();
    // Handlers not yet answered, plus one reference held by the read loop while it runs.
    private int _unanswered = 1;
    private long _lastActivityTicks;
    private long _flushStartedTicks;
    private volatile bool _handshaken;
    private volatile string? _closeReason;

    /// <param name="stream">The connection's byte stream: a TLS stream already negotiated, or null for plain TCP on the socket.</param>
    public KahunaSession(long id, Socket socket, IKahunaRequestHandler handler, IConnectionAuthenticator authenticator, KahunaServerSettings settings,
        Stream? stream = null)
    {
        Id = id;
        _socket = socket;
        _handler = handler;
        _authenticator = authenticator;
        _settings = settings;
        RemoteEndPoint = SafeRemoteEndPoint(socket);
        Context = new RequestContext(id, RemoteEndPoint, null, null);
        _stream = stream ?? new NetworkStream(socket, ownsSocket: false);
        _input = PipeReader.Create(_stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4 * 1024));
        _output = PipeWriter.Create(_stream, new StreamPipeWriterOptions(minimumBufferSize: 64 * 1024));
        _responses = Channel.CreateUnbounded<OutgoingResponse>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
        _inFlightSlots = new SemaphoreSlim(settings.MaxInFlightPerConnection, settings.MaxInFlightPerConnection);
        ConnectedTicks = Environment.TickCount64;
        _lastActivityTicks = ConnectedTicks;
    }

    /// <summary>The server-local id of this connection.</summary>
    public long Id { get; }

    /// <summary>The peer's address (null if the socket was already gone).</summary>
    public EndPoint? RemoteEndPoint { get; }

    /// <summary>The connection's identity for handlers; replaced once the handshake succeeds.</summary>
    public RequestContext Context { get; private set; }

    /// <summary>When the connection was accepted (<see cref="Environment.TickCount64"/>).</summary>
    public long ConnectedTicks { get; }

    /// <summary>Why the session ended, once it has.</summary>
    public string? CloseReason => _closeReason;

    /// <summary>Runs the session to its end. Never throws; always releases the socket.</summary>
    public async Task RunAsync()
    {
        var writing = WriteLoopAsync();
        try
        {
            var ending = await ReadLoopAsync().ConfigureAwait(false);
            if (ending == ReadEnding.Graceful)
                ReleaseReadReference();
            else if (ending == ReadEnding.CloseAfterAnswer)
                _responses.Writer.TryComplete();
            else
                Abort(_closeReason ?? "connection broken");
            await writing.ConfigureAwait(false);
            if (ending == ReadEnding.CloseAfterAnswer)
                await LingerAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _closeReason ??= $"session failed: {ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _responses.Writer.TryComplete();
            CancelQuietly(_abort);
            CloseSocket();
            await writing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            await _input.CompleteAsync().ConfigureAwait(false);
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Stops reading new requests; answers already in flight are still written, then the connection closes.</summary>
    public void BeginClose(string reason)
    {
        _closeReason ??= reason;
        CancelQuietly(_stopReading);
    }

    /// <summary>Cuts the connection now: handlers are cancelled and unwritten answers dropped.</summary>
    public void Abort(string reason)
    {
        _closeReason ??= reason;
        _responses.Writer.TryComplete();
        CancelQuietly(_stopReading);
        CancelQuietly(_abort);
        CloseSocket();
    }

    /// <summary>
    /// What the server's periodic sweep should do with this connection now: nothing, a graceful close
    /// (idle) or an abort (no handshake in time, or a client that stopped reading).
    /// </summary>
    public void Sweep(long nowTicks)
    {
        long flushStarted = Interlocked.Read(ref _flushStartedTicks);
        if (flushStarted != 0 && nowTicks - flushStarted > (long)_settings.WriteTimeout.TotalMilliseconds)
            Abort($"client did not read for {_settings.WriteTimeout}");
        else if (!_handshaken && nowTicks - ConnectedTicks > (long)_settings.HandshakeTimeout.TotalMilliseconds)
            Abort($"no handshake within {_settings.HandshakeTimeout}");
        else if (_inFlightSlots.CurrentCount == _settings.MaxInFlightPerConnection
                 && nowTicks - Interlocked.Read(ref _lastActivityTicks) > (long)_settings.IdleTimeout.TotalMilliseconds)
            BeginClose($"idle for {_settings.IdleTimeout}");
    }

    private void Touch() => Interlocked.Exchange(ref _lastActivityTicks, Environment.TickCount64);

    private void ReleaseReadReference()
    {
        if (Interlocked.Decrement(ref _unanswered) == 0)
            _responses.Writer.TryComplete();
    }

    private void CloseSocket()
    {
        try
        {
            _socket.Dispose();
            if (_stream is not NetworkStream) _stream.Dispose(); // a TLS stream holds its own buffers and state
        }
        catch (Exception)
        {
            // Closing a socket that is already broken has nothing left to report.
        }
    }

    private static void CancelQuietly(CancellationTokenSource source)
    {
        try
        {
            source.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    private static EndPoint? SafeRemoteEndPoint(Socket socket)
    {
        try
        {
            return socket.RemoteEndPoint;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private enum ReadEnding
    {
        /// <summary>The client finished sending (or the server asked to stop): answer what is in flight, then close.</summary>
        Graceful,
        /// <summary>A final answer (protocol error, refused handshake) is queued: write it, then close.</summary>
        CloseAfterAnswer,
        /// <summary>The socket failed (reset by the peer): nobody will read answers, so stop at once.</summary>
        Broken,
    }

    /// <summary>An answer waiting to be written; <paramref name="HoldsSlot"/> says whether writing it frees an in-flight slot.</summary>
    private readonly record struct OutgoingResponse(ulong RequestId, KahunaResponse Response, bool HoldsSlot);
}
