using System.Diagnostics;
using System.Runtime.CompilerServices;
using Kahuna.Protocol.Client.Internal;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Routing;
using Kahuna.Protocol.Validation;

namespace Kahuna.Protocol.Client;

/// <summary>
/// The .NET client of a Kahuna cluster: locks, key/value and sequences over a small pool of pipelined
/// TCP connections. Thread-safe; create one per application and share it.
/// </summary>
/// <remarks>
/// Normal outcomes (busy, not found, not owner, precondition failed) come back as results. Retryable
/// answers (Retry, Overloaded, NotLeader, Timeout) and lost connections are retried with backoff and
/// jitter, on the next endpoint when one is down, until <see cref="KahunaClientOptions.RequestTimeout"/>, or until
/// <see cref="KahunaClientOptions.UnreachableTimeout"/> when no endpoint takes a connection at all;
/// every retry of a write carries the same <see cref="OperationId"/> so the server applies it at most once.
/// Faults throw <see cref="KahunaException"/>; cancellation throws <see cref="OperationCanceledException"/>.
/// </remarks>
public sealed partial class KahunaClient : IAsyncDisposable
{
    private readonly ConnectionPool _pool;
    private readonly OperationTracker _operations;
    private readonly PartitionRoutes _routes = new();
    private readonly CancellationTokenSource _disposed = new();
    private long _routesRefreshedAt = long.MinValue / 2;
    private int _refreshing;
    // Made once: a lambda that captures `this` would otherwise be a new delegate on every call.
    private readonly Action<EndpointAddress> _onPreferredUnreachable;

    /// <summary>Creates a client; no connection is opened until the first request.</summary>
    /// <exception cref="ArgumentException">An option is out of range or an endpoint cannot be parsed.</exception>
    public KahunaClient(KahunaClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _pool = new ConnectionPool(options);
        _operations = new OperationTracker(Guid.NewGuid());
        _onPreferredUnreachable = lost =>
        {
            _routes.Forget(lost);
            RoutesMayBeStale();
        };
    }

    /// <summary>Creates a client for a comma-separated list of <c>host:port</c> endpoints, with default options.</summary>
    public KahunaClient(string endpoints)
        : this(KahunaClientOptions.FromEndpoints(endpoints))
    {
    }

    /// <summary>The options in force.</summary>
    public KahunaClientOptions Options { get; }

    /// <summary>This client's id, the first half of every <see cref="OperationId"/> it sends.</summary>
    public Guid ClientId => _operations.ClientId;

    /// <summary>The endpoint requests currently go to (it changes on fail-over).</summary>
    public string CurrentEndpoint => _pool.CurrentEndpoint.ToString();

    /// <summary>Sends a ping and waits for the answer (a health check; also opens the connection).</summary>
    public async Task PingAsync(CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(PingRequest.Instance, cancellationToken).ConfigureAwait(false);
        if (response.Status != KahunaStatus.Ok)
            throw Unexpected(response);
    }

    /// <summary>The answering node's view of the cluster: its members and every partition's replicas, leader and progress.</summary>
    public async Task<ClusterStatusResponse> GetClusterStatusAsync(CancellationToken cancellationToken = default)
    {
        var response = await ExecuteAsync(new ClusterStatusRequest(), cancellationToken).ConfigureAwait(false);
        return response as ClusterStatusResponse is { Status: KahunaStatus.Ok } status ? status : throw Unexpected(response);
    }

    /// <summary>Closes every connection; requests still running fail.</summary>
    public async ValueTask DisposeAsync()
    {
        _disposed.Cancel();
        await _pool.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Where to send a request: its partition leader's node when known (and routing is on), else null.</summary>
    private EndpointAddress? PreferredEndpoint(KahunaRequest request)
    {
        if (!Options.RouteToLeaders || request is ClusterStatusRequest) return null;
        if (Stopwatch.GetElapsedTime(Interlocked.Read(ref _routesRefreshedAt)) > Options.RouteRefreshInterval) RefreshRoutesInBackground();
        return RoutingKeys.EntryKey(request) is { } key ? _routes.EndpointFor(key) : null;
    }

    /// <summary>Asks a node for the cluster's status and relearns the partition leaders; one refresh at a time.</summary>
    private void RefreshRoutesInBackground()
    {
        if (Interlocked.Exchange(ref _refreshing, 1) == 1) return;
        Interlocked.Exchange(ref _routesRefreshedAt, Stopwatch.GetTimestamp());
        _ = Task.Run(async () =>
        {
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_disposed.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(5));
                _routes.Update(await GetClusterStatusAsync(timeout.Token).ConfigureAwait(false));
            }
            catch (Exception)
            {
                // Routing is an optimization: without it requests still reach their leader through any node.
            }
            finally
            {
                Volatile.Write(ref _refreshing, 0);
            }
        });
    }

    /// <summary>An answer or failure that suggests leadership moved: relearn soon.</summary>
    private void RoutesMayBeStale() => Interlocked.Exchange(ref _routesRefreshedAt, long.MinValue / 2);

    /// <summary>
    /// Sends a write: allocates its operation id once and reuses it on every retry, then releases it.
    /// </summary>
    /// <remarks>
    /// This and <see cref="ExecuteAsync"/> are awaited exactly once by the public calls, so their state machines come
    /// from a pool instead of being allocated for every call that does not complete at once (almost every call).
    /// </remarks>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<KahunaResponse> ExecuteWriteAsync<TRequest>(TRequest request, CancellationToken cancellationToken)
        where TRequest : KahunaWriteRequest
    {
        var (id, completedBelow) = _operations.Begin();
        try
        {
            return await ExecuteAsync(request with { OperationId = id, CompletedBelow = completedBelow }, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _operations.End(id);
        }
    }

    /// <summary>
    /// Validates, sends and retries one request until an outcome, a fault, cancellation or the request timeout.
    /// Returns answers whose status is an outcome (Ok, NotFound, Busy, NotOwner, PreconditionFailed).
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<KahunaResponse> ExecuteAsync(KahunaRequest request, CancellationToken cancellationToken)
    {
        var validation = RequestValidator.Validate(request);
        if (!validation.IsValid)
            throw new KahunaException(validation.Status, validation.Message);

        // The common call finds an open connection and gets its answer at once: it needs no timer of its own, the
        // connection's sweep enforces the deadline. A token source for the deadline is made only for what waits
        // outside a connection: opening one and the pause between retries.
        long deadline = Deadlines.After(Options.RequestTimeout);
        CancellationTokenSource? waits = null;
        var backoff = new RetryBackoff(Options.RetryInitialBackoff, Options.RetryMaxBackoff);
        var unreachable = new UnreachableClock(Options.UnreachableTimeout);
        string lastProblem = "no attempt finished";
        KahunaStatus lastStatus = KahunaStatus.Timeout;
        bool sent = false;
        try
        {
            while (true)
            {
                KahunaStatus retryStatus;
                var preferred = PreferredEndpoint(request);
                try
                {
                    var connection = _pool.TryGetOpen(preferred)
                        ?? await _pool.GetAsync(preferred, DeadlineToken(ref waits, deadline, cancellationToken), _onPreferredUnreachable).ConfigureAwait(false);
                    unreachable.Reached();
                    sent = true;
                    var response = await connection.SendAsync(request, deadline, waits?.Token ?? cancellationToken).ConfigureAwait(false);
                    if (IsOutcome(response.Status))
                        return response;
                    if (!KahunaConnection.IsRetryableStatus(response.Status))
                        throw new KahunaException(response.Status, response.Message);
                    retryStatus = lastStatus = response.Status;
                    lastProblem = $"{response.Status}: {response.Message}";
                    RoutesMayBeStale();
                }
                catch (KahunaConnectionException ex) when (ex.IsRetryable)
                {
                    retryStatus = lastStatus = ex.Status;
                    lastProblem = ex.Message;
                    if (preferred is not null) _routes.Forget(preferred);
                    RoutesMayBeStale();
                    // Only "every endpoint refused" runs the clock; a lost connection or an Overloaded node was a node reached.
                    if (ex is not { NoEndpointReachable: true, Status: KahunaStatus.Unavailable })
                        unreachable.Reached();
                    else if (unreachable.Failed(Stopwatch.GetTimestamp()))
                        throw new KahunaException(KahunaStatus.Unavailable, UnreachableMessage(ex.Message, request, sent), ex);
                }
                catch (KahunaConnectionException ex)
                {
                    throw new KahunaException(ex.Status, ex.Message, ex);
                }
                await Task.Delay(unreachable.Cap(backoff.Next(retryStatus)), DeadlineToken(ref waits, deadline, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (RequestDeadlineExceededException)
        {
            // The caller's own cancellation, if it came too, is what the caller asked for.
            cancellationToken.ThrowIfCancellationRequested();
            throw TimedOut(lastStatus, lastProblem);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && waits is { IsCancellationRequested: true })
        {
            throw TimedOut(lastStatus, lastProblem);
        }
        finally
        {
            waits?.Dispose();
        }
    }

    /// <summary>
    /// A token that fires at <paramref name="deadline"/> or with <paramref name="cancellationToken"/>, made on first use
    /// (only calls that wait outside a connection need one).
    /// </summary>
    private static CancellationToken DeadlineToken(ref CancellationTokenSource? source, long deadline, CancellationToken cancellationToken)
    {
        if (source is null)
        {
            source = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var left = Deadlines.Remaining(deadline);
            if (left == TimeSpan.Zero)
                source.Cancel();
            else if (left != Timeout.InfiniteTimeSpan)
                source.CancelAfter(left);
        }
        return source.Token;
    }

    /// <summary>The request timeout passed: a call that never reached any node says so; one that reached a node that kept deferring timed out.</summary>
    private KahunaException TimedOut(KahunaStatus lastStatus, string lastProblem) =>
        new(lastStatus == KahunaStatus.Unavailable ? KahunaStatus.Unavailable : KahunaStatus.Timeout,
            $"no answer within {DurationText.Of(Options.RequestTimeout)}; last problem: {lastProblem}");

    private string UnreachableMessage(string problem, KahunaRequest request, bool sent) =>
        $"no node accepted a connection for {DurationText.Of(Options.UnreachableTimeout)}: {problem}" +
        (sent && request is KahunaWriteRequest ? "; an earlier attempt of this write was sent, so it may have been applied" : "");

    /// <summary>Statuses that are answers to the question asked, not failures to answer it.</summary>
    internal static bool IsOutcome(KahunaStatus status) =>
        status is KahunaStatus.Ok or KahunaStatus.NotFound or KahunaStatus.Busy or KahunaStatus.NotOwner or KahunaStatus.PreconditionFailed;

    /// <summary>
    /// The typed answer for an outcome: the expected type, or null when the server answered a non-Ok
    /// outcome with a bare <see cref="ErrorResponse"/>. An Ok of the wrong type is a protocol error.
    /// </summary>
    internal static T? As<T>(KahunaResponse response) where T : KahunaResponse => response switch
    {
        T typed => typed,
        ErrorResponse when response.Status != KahunaStatus.Ok => null,
        _ => throw Unexpected(response),
    };

    private static KahunaException Unexpected(KahunaResponse response) =>
        new(KahunaStatus.ProtocolError, $"unexpected answer {response.GetType().Name} with status {response.Status}");

    internal static DateTimeOffset? FromUnixMs(long unixMs) => unixMs > 0 ? DateTimeOffset.FromUnixTimeMilliseconds(unixMs) : null;

    internal static long ToWholeMs(TimeSpan span, string name)
    {
        if (span < TimeSpan.Zero)
            throw new KahunaException(KahunaStatus.InvalidInput, $"{name}: must not be negative");
        return (long)Math.Ceiling(span.TotalMilliseconds);
    }
}
