namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// A few pipelined connections to the endpoint in use. Connections are opened lazily (one attempt at a
/// time per slot), replaced when they fail, and when an endpoint cannot be reached the pool moves on to
/// the next one in the list and stays there while it answers.
/// </summary>
internal sealed class ConnectionPool : IAsyncDisposable
{
    private readonly EndpointAddress[] _endpoints;
    private readonly KahunaClientOptions _options;
    private readonly Slot[][] _slots;
    // Slots for endpoints learned from the cluster (partition leaders), created on first use.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<EndpointAddress, Slot[]> _learned = new();
    private int _currentEndpoint;
    private int _roundRobin;
    private volatile bool _disposed;

    public ConnectionPool(KahunaClientOptions options)
    {
        _options = options;
        _endpoints = options.Endpoints.Select(EndpointAddress.Parse).ToArray();
        _slots = _endpoints.Select(_ => Enumerable.Range(0, options.ConnectionsPerEndpoint).Select(_ => new Slot()).ToArray()).ToArray();
    }

    /// <summary>The endpoint new requests go to.</summary>
    public EndpointAddress CurrentEndpoint => _endpoints[Volatile.Read(ref _currentEndpoint)];

    /// <summary>
    /// A connection to <paramref name="preferred"/> (a partition leader's node) when given and reachable; otherwise,
    /// and on any failure to reach it, a connection by the configured endpoints' fail-over order.
    /// </summary>
    public async ValueTask<KahunaConnection> GetAsync(EndpointAddress? preferred, CancellationToken cancellationToken,
        Action<EndpointAddress>? onPreferredUnreachable = null)
    {
        if (preferred is null) return await GetAsync(cancellationToken).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = SlotsFor(preferred);
        var slot = slots[(uint)Interlocked.Increment(ref _roundRobin) % (uint)slots.Length];
        if (slot.Connection is { IsOpen: true } open) return open;
        try
        {
            return await slot.GetOrOpenAsync(preferred, _options, cancellationToken).ConfigureAwait(false);
        }
        catch (KahunaConnectionException ex) when (ex.IsRetryable)
        {
            onPreferredUnreachable?.Invoke(preferred);
            return await GetAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// An open connection at once, without waiting or opening one: to <paramref name="preferred"/> when given, else to
    /// the current endpoint. Null when the chosen slot has none; <see cref="GetAsync(EndpointAddress?, CancellationToken, Action{EndpointAddress}?)"/>
    /// then opens it.
    /// </summary>
    public KahunaConnection? TryGetOpen(EndpointAddress? preferred)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var slots = preferred is null ? _slots[Volatile.Read(ref _currentEndpoint)] : SlotsFor(preferred);
        var connection = slots[(uint)Interlocked.Increment(ref _roundRobin) % (uint)slots.Length].Connection;
        return connection is { IsOpen: true } ? connection : null;
    }

    private Slot[] SlotsFor(EndpointAddress endpoint)
    {
        var configured = Array.IndexOf(_endpoints, endpoint);
        if (configured >= 0) return _slots[configured];
        if (_learned.TryGetValue(endpoint, out var learned)) return learned;
        return _learned.GetOrAdd(endpoint, _ => Enumerable.Range(0, _options.ConnectionsPerEndpoint).Select(_ => new Slot()).ToArray());
    }

    /// <summary>
    /// An open connection: an existing one when possible (no await), else a new one to the current endpoint,
    /// else to the next endpoints in turn. Throws a retryable <see cref="KahunaConnectionException"/> when none answers.
    /// </summary>
    public ValueTask<KahunaConnection> GetAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int endpoint = Volatile.Read(ref _currentEndpoint);
        uint position = (uint)Interlocked.Increment(ref _roundRobin);
        var connection = _slots[endpoint][position % (uint)_slots[endpoint].Length].Connection;
        if (connection is { IsOpen: true })
            return ValueTask.FromResult(connection);
        return new ValueTask<KahunaConnection>(ConnectAnyAsync(endpoint, position, cancellationToken));
    }

    /// <summary>Opens the connection of the slot at <paramref name="position"/>, on the first endpoint that answers.</summary>
    private async Task<KahunaConnection> ConnectAnyAsync(int firstEndpoint, uint position, CancellationToken cancellationToken)
    {
        KahunaConnectionException? last = null;
        for (int i = 0; i < _endpoints.Length; i++)
        {
            int endpoint = (firstEndpoint + i) % _endpoints.Length;
            // The same position on every endpoint, so each slot gets opened (not just those a second counter lands on).
            var slot = _slots[endpoint][position % (uint)_slots[endpoint].Length];
            try
            {
                var connection = await slot.GetOrOpenAsync(_endpoints[endpoint], _options, cancellationToken).ConfigureAwait(false);
                // Stay on the endpoint that answered, unless another caller already moved on.
                Interlocked.CompareExchange(ref _currentEndpoint, endpoint, firstEndpoint);
                if (_disposed)
                {
                    await connection.DisposeAsync().ConfigureAwait(false);
                    throw new ObjectDisposedException(nameof(KahunaClient));
                }
                return connection;
            }
            catch (KahunaConnectionException ex) when (ex.IsRetryable)
            {
                last = ex;
            }
        }
        // Keep the last status: "Overloaded" should still mean "back off longer" to the retry loop.
        throw new KahunaConnectionException(last?.Status ?? KahunaStatus.Unavailable,
            $"no endpoint reachable ({string.Join(", ", _endpoints.Select(e => e.ToString()))}); last error: {last?.Message}", isRetryable: true, last,
            noEndpointReachable: true);
    }

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        foreach (var slot in _slots.SelectMany(s => s).Concat(_learned.Values.SelectMany(s => s)))
            await slot.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>One connection position: the current connection and the gate that lets one caller at a time open a new one.</summary>
    private sealed class Slot : IAsyncDisposable
    {
        private readonly SemaphoreSlim _opening = new(1, 1);
        private volatile KahunaConnection? _connection;

        public KahunaConnection? Connection => _connection;

        public async Task<KahunaConnection> GetOrOpenAsync(EndpointAddress endpoint, KahunaClientOptions options, CancellationToken cancellationToken)
        {
            await _opening.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                // Someone may have opened it while this caller waited.
                if (_connection is { IsOpen: true } open)
                    return open;
                if (_connection is { } dead)
                    await dead.DisposeAsync().ConfigureAwait(false);
                _connection = null;
                var connection = await KahunaConnection.OpenAsync(endpoint, options, cancellationToken).ConfigureAwait(false);
                _connection = connection;
                return connection;
            }
            finally
            {
                _opening.Release();
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_connection is { } connection)
                await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
