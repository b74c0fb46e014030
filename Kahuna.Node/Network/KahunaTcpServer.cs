using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

/// <summary>
/// The client-facing TCP edge: accepts connections and runs one <see cref="KahunaSession"/> per socket.
/// It knows frames and sessions, not storage: every request goes to the host's <see cref="IKahunaRequestHandler"/>.
/// A broken or hostile client only ever closes its own connection.
/// </summary>
public sealed class KahunaTcpServer : IAsyncDisposable
{
    private readonly IPEndPoint _endpoint;
    private readonly IKahunaRequestHandler _handler;
    private readonly IConnectionAuthenticator _authenticator;
    private readonly ConcurrentDictionary<long, (KahunaSession Session, Task Run)> _sessions = new();
    private readonly CancellationTokenSource _stopping = new();
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private Task _sweepLoop = Task.CompletedTask;
    private long _nextSessionId;
    private int _connectionCount;
    private long _rejectedConnections;
    private int _state; // 0 new, 1 started, 2 stopped

    /// <summary>Creates a server; call <see cref="Start"/> to bind and accept.</summary>
    /// <param name="endpoint">Where to listen; port 0 lets the OS choose (see <see cref="Port"/>).</param>
    /// <param name="handler">Executes requests.</param>
    /// <param name="settings">Limits and timeouts; <see cref="KahunaServerSettings.Default"/> when null.</param>
    /// <param name="authenticator">Checks handshakes; accepts everyone when null.</param>
    public KahunaTcpServer(IPEndPoint endpoint, IKahunaRequestHandler handler, KahunaServerSettings? settings = null, IConnectionAuthenticator? authenticator = null)
    {
        _endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        Settings = settings ?? KahunaServerSettings.Default;
        Settings.Validate();
        _authenticator = authenticator ?? AcceptAllAuthenticator.Instance;
    }

    /// <summary>The settings in force.</summary>
    public KahunaServerSettings Settings { get; }

    /// <summary>The address actually bound (with the OS-chosen port when 0 was asked for); null before <see cref="Start"/>.</summary>
    public IPEndPoint? BoundEndPoint { get; private set; }

    /// <summary>The port actually bound.</summary>
    public int Port => BoundEndPoint?.Port ?? throw new InvalidOperationException("the server has not been started");

    /// <summary>Connections currently open.</summary>
    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Connections refused because <see cref="KahunaServerSettings.MaxConnections"/> was reached.</summary>
    public long RejectedConnections => Interlocked.Read(ref _rejectedConnections);

    /// <summary>Binds the endpoint and starts accepting. Throws if the address cannot be bound.</summary>
    public void Start()
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
            throw new InvalidOperationException("the server was already started");
        var listener = new Socket(_endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            listener.Bind(_endpoint);
            listener.Listen(512);
        }
        catch
        {
            listener.Dispose();
            throw;
        }
        _listener = listener;
        BoundEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _acceptLoop = Task.Run(AcceptLoopAsync);
        _sweepLoop = Task.Run(SweepLoopAsync);
    }

    /// <summary>
    /// Stops accepting, asks every session to finish what is in flight, and cuts whatever is left after
    /// <see cref="KahunaServerSettings.ShutdownTimeout"/> (or when <paramref name="cancellationToken"/> fires).
    /// </summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) != 1)
            return;
        _stopping.Cancel();
        _listener?.Dispose();
        await _acceptLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _sweepLoop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);

        foreach (var (session, _) in _sessions.Values)
            session.BeginClose("server stopping");
        var all = Task.WhenAll(_sessions.Values.Select(s => s.Run));
        try
        {
            await all.WaitAsync(Settings.ShutdownTimeout, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            foreach (var (session, _) in _sessions.Values)
                session.Abort("server stopped");
            // Aborted sessions end promptly: their sockets are closed and their loops cancelled.
            await all.WaitAsync(TimeSpan.FromSeconds(5), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        var listener = _listener!;
        while (!_stopping.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
            {
                return;
            }
            catch (SocketException)
            {
                // A connection that died before it was accepted, or a transient shortage (descriptors):
                // pause briefly so a persistent failure cannot spin this loop.
                try
                {
                    await Task.Delay(10, _stopping.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                continue;
            }

            if (Interlocked.Increment(ref _connectionCount) > Settings.MaxConnections)
            {
                Interlocked.Decrement(ref _connectionCount);
                Interlocked.Increment(ref _rejectedConnections);
                _ = RejectOverloadedAsync(socket);
                continue;
            }
            StartSession(socket);
        }
    }

    private void StartSession(Socket socket)
    {
        socket.NoDelay = true;
        if (Settings.TlsCertificate is not null)
        {
            _ = StartTlsSessionAsync(socket, Settings.TlsCertificate);
            return;
        }
        Register(socket, null);
    }

    /// <summary>Negotiates TLS within the handshake timeout; a client that cannot is disconnected without a word.</summary>
    private async Task StartTlsSessionAsync(Socket socket, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var tls = new System.Net.Security.SslStream(new NetworkStream(socket, ownsSocket: false), leaveInnerStreamOpen: false);
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(Settings.HandshakeTimeout);
            await tls.AuthenticateAsServerAsync(new System.Net.Security.SslServerAuthenticationOptions
            {
                ServerCertificate = certificate,
                EnabledSslProtocols = System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13,
                ClientCertificateRequired = false,
            }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception)
        {
            await tls.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
            Interlocked.Decrement(ref _connectionCount);
            return;
        }
        Register(socket, tls);
    }

    private void Register(Socket socket, Stream? stream)
    {
        long id = Interlocked.Increment(ref _nextSessionId);
        var session = new KahunaSession(id, socket, _handler, _authenticator, Settings, stream);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = RunSessionAsync(session, started.Task);
        _sessions[id] = (session, run);
        started.SetResult();
    }

    private async Task RunSessionAsync(KahunaSession session, Task registered)
    {
        await registered.ConfigureAwait(false);
        try
        {
            if (_stopping.IsCancellationRequested)
                session.BeginClose("server stopping");
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            _sessions.TryRemove(session.Id, out _);
            Interlocked.Decrement(ref _connectionCount);
        }
    }

    /// <summary>Answers Overloaded (request id 0) to a connection over the limit and closes it.</summary>
    private static async Task RejectOverloadedAsync(Socket socket)
    {
        try
        {
            var payload = new ArrayBufferWriter<byte>(64);
            MessageCodec.EncodeResponse(payload, 0, ErrorResponse.Create(KahunaStatus.Overloaded, "the server has reached its connection limit"));
            var frame = new ArrayBufferWriter<byte>(payload.WrittenCount + ProtocolLimits.FrameHeaderBytes);
            FrameCodec.WriteFrame(frame, payload.WrittenSpan);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            await socket.SendAsync(frame.WrittenMemory, SocketFlags.None, timeout.Token).ConfigureAwait(false);
            socket.Shutdown(SocketShutdown.Send);
            // Give the client a moment to read the answer before the close can turn into a reset.
            var sink = new byte[1024];
            while (await socket.ReceiveAsync(sink, SocketFlags.None, timeout.Token).ConfigureAwait(false) > 0)
            {
            }
        }
        catch (Exception)
        {
            // Best effort: the connection is refused either way.
        }
        finally
        {
            socket.Dispose();
        }
    }

    private async Task SweepLoopAsync()
    {
        var shortest = new[] { Settings.IdleTimeout, Settings.HandshakeTimeout, Settings.WriteTimeout }.Min();
        var period = TimeSpan.FromMilliseconds(Math.Clamp(shortest.TotalMilliseconds / 4, 10, 1000));
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                long now = Environment.TickCount64;
                foreach (var (session, _) in _sessions.Values)
                    session.Sweep(now);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
