using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Akka.Actor;
using Kahuna.Node.Cluster;
using Kahuna.Node.Network;
using Kahuna.Node.Partitions;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Routing;

public sealed record RouterSettings
{
    /// <summary>How long a node keeps trying (following leader hints, waiting out elections) before it answers Timeout/Retry.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether requests forwarded to other nodes, and their answers, travel coalesced per node (<see cref="ForwardOutboxes"/>).</summary>
    public bool BatchForwards { get; init; } = true;

    /// <summary>How long one attempt waits for a replica before trying another.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Requests this node works on at once (from all connections); beyond it new ones are answered Overloaded.</summary>
    public int MaxInFlight { get; init; } = 20_000;
}

/// <summary>
/// Any node accepts any request: the router finds the request's partition by its key, sends it to the replica it
/// believes leads (a cached hint, learned from answers), follows NotLeader hints, waits out elections with a short
/// back-off and retries within the request's deadline. The client sees Retry/Timeout only when the cluster could
/// not answer in time. Writes carry the client's operation id, so a retry never applies twice.
/// </summary>
public sealed partial class PartitionRouter : IKahunaRequestHandler, IDisposable
{
    /// <summary>How often attempts past their deadline are given up (an attempt may run this much past its timeout).</summary>
    private static readonly TimeSpan ExpiryInterval = TimeSpan.FromMilliseconds(50);

    private readonly string _selfId;
    private readonly NodeDirectory _directory;
    private readonly RouterSettings _settings;
    private readonly IActorRefProvider _provider;
    private readonly PendingAttempts _attempts;
    private readonly ConcurrentDictionary<int, string> _leaderHints = new();
    private readonly ConcurrentDictionary<(string Node, string Group), (Address Address, IActorRef Ref)> _replicaRefs = new();
    private readonly IActorRef _replies;
    private readonly ForwardOutboxes _forwards;
    private readonly Timer _expiry;
    private int _roundRobin;
    private int _inFlight;
    private long _forwarded;
    private long _refused;

    public PartitionRouter(ActorSystem system, string selfId, PartitionMap map, NodeDirectory directory, RouterSettings settings,
        ForwardOutboxes? forwards = null)
    {
        _selfId = selfId;
        Map = map;
        _directory = directory;
        _settings = settings;
        _provider = ((ExtendedActorSystem)system).Provider;
        _forwards = forwards ?? new ForwardOutboxes(_provider, enabled: false);
        _attempts = new PendingAttempts(settings.MaxInFlight);
        _replies = RouterReplySink.Register(this, _provider);
        _expiry = new Timer(static state => ((PartitionRouter)state!).ExpireAttempts(), this, ExpiryInterval, ExpiryInterval);
    }

    public void Dispose() => _expiry.Dispose();

    public PartitionMap Map { get; }

    /// <summary>Which node the router currently believes leads a partition (for status and tests).</summary>
    public string? LeaderHint(int partitionId) => _leaderHints.TryGetValue(partitionId, out var n) ? n : null;

    /// <summary>Requests being worked on right now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Requests answered Overloaded because the node was at <see cref="RouterSettings.MaxInFlight"/>.</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>How requests to other nodes, and the answers this node's replicas send back, travel (and their counts).</summary>
    public ForwardOutboxes Forwards => _forwards;

    /// <summary>Attempts sent to a replica on another node (a client that routes to leaders keeps this near zero).</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<KahunaResponse> HandleAsync(KahunaRequest request, RequestContext context, CancellationToken cancellationToken)
    {
        // Admission: past the node's capacity, refuse at once (the client backs off) instead of queueing without bound.
        if (Interlocked.Increment(ref _inFlight) > _settings.MaxInFlight)
        {
            Interlocked.Decrement(ref _inFlight);
            Interlocked.Increment(ref _refused);
            return ErrorResponse.Create(KahunaStatus.Overloaded, $"this node already has {_settings.MaxInFlight} requests in flight");
        }
        try
        {
            return request switch
            {
                ScanRequest scan => await ScanAsync(scan, cancellationToken),
                GetManyRequest many => await GetManyAsync(many, cancellationToken),
                SetManyRequest many => await SetManyAsync(many, cancellationToken),
                DeleteManyRequest many => await DeleteManyAsync(many, cancellationToken),
                _ => await RouteAsync(request, null, cancellationToken),
            };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    // Pooled state machines: these two run for every request and usually wait for a replica.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<KahunaResponse> RouteAsync(KahunaRequest request, PartitionDescriptor? to, CancellationToken cancellationToken)
    {
        KahunaResponse? refusal = null;
        var partition = to ?? PartitionOf(request, out refusal);
        if (partition is null) return refusal!;
        var started = Stopwatch.GetTimestamp();
        var delivered = false;
        var backoff = 10;
        string? last = null;
        KahunaResponse? lastAnswer = null;
        for (var attempt = 0; ; attempt++)
        {
            var remaining = _settings.RequestTimeout - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero) break;
            var target = ChooseTarget(partition, last);
            last = target;
            var replica = target is null ? null : ReplicaRef(target, partition.GroupId);
            if (replica is null)
            {
                backoff = await BackOff(backoff, cancellationToken);
                continue;
            }
            if (target != _selfId) Interlocked.Increment(ref _forwarded);
            var reply = await SendAsync(replica, partition.GroupId, request, Min(remaining, _settings.AttemptTimeout), cancellationToken);
            delivered = true;
            if (reply is null)
            {
                // No answer in time: that node may be down; forget it as leader and try another replica.
                _leaderHints.TryRemove(new KeyValuePair<int, string>(partition.Id, target!));
                continue;
            }
            lastAnswer = reply.Response;
            switch (reply.Response.Status)
            {
                case KahunaStatus.NotLeader:
                    if (reply.LeaderHint is { } hint && hint != target && partition.Replicas.Contains(hint))
                    {
                        _leaderHints[partition.Id] = hint;
                        continue;
                    }
                    _leaderHints.TryRemove(partition.Id, out _);
                    backoff = await BackOff(backoff, cancellationToken);
                    continue;
                case KahunaStatus.Retry:
                    backoff = await BackOff(backoff, cancellationToken);
                    continue;
                default:
                    // Written only when it changes: a write takes the dictionary's lock, and this runs on every request.
                    if (!_leaderHints.TryGetValue(partition.Id, out var known) || known != target)
                        _leaderHints[partition.Id] = target!;
                    return reply.Response;
            }
        }
        return ErrorResponse.Create(delivered ? KahunaStatus.Timeout : KahunaStatus.Retry,
            $"partition {partition.Id} did not answer within {_settings.RequestTimeout.TotalSeconds:F0}s" +
            (lastAnswer?.Message is { } m ? $" (last answer: {m})" : ""));
    }

    /// <summary>A request with a key goes to its key's partition; an admin request names its partition.</summary>
    private PartitionDescriptor? PartitionOf(KahunaRequest request, out KahunaResponse? refusal)
    {
        refusal = null;
        if (request is TransferLeaderRequest transfer)
        {
            if (!Map.ById.TryGetValue(transfer.PartitionId, out var named))
                refusal = ErrorResponse.Create(KahunaStatus.NotFound, $"there is no partition {transfer.PartitionId} (kahuna cluster status lists them)");
            else if (!named.Replicas.Contains(transfer.TargetNodeId))
                refusal = ErrorResponse.Create(KahunaStatus.InvalidInput,
                    $"{transfer.TargetNodeId} holds no replica of partition {transfer.PartitionId} (its replicas: {string.Join(", ", named.Replicas)})");
            return refusal is null ? named : null;
        }
        var key = RequestTranslator.RoutingKey(request);
        if (key is not null) return Map.ForKey(key);
        refusal = ErrorResponse.Create(KahunaStatus.InvalidInput, $"{request.GetType().Name} is not routed to a partition");
        return null;
    }

    private string? ChooseTarget(PartitionDescriptor partition, string? previous)
    {
        if (_leaderHints.TryGetValue(partition.Id, out var hint) && hint != previous) return hint;
        if (previous is null && partition.Replicas.Contains(_selfId)) return _selfId;
        var replicas = partition.Replicas;
        var start = Interlocked.Increment(ref _roundRobin);
        for (var i = 0; i < replicas.Length; i++)
        {
            var candidate = replicas[(start + i) % replicas.Length];
            if (candidate != previous || replicas.Length == 1) return candidate;
        }
        return replicas[0];
    }

    private IActorRef? ReplicaRef(string node, string groupId)
    {
        var address = _directory.Resolve(node);
        if (address is null) return null;
        var key = (node, groupId);
        if (_replicaRefs.TryGetValue(key, out var cached) && cached.Address.Equals(address) && !Stopped(cached.Ref)) return cached.Ref;
        var path = new RootActorPath(address) / "user" / RaftHostProtocol.Name / groupId;
        var actor = _provider.ResolveActorRef(path);
        _replicaRefs[key] = (address, actor);
        return actor;
    }

    /// <summary>
    /// A local replica that stopped and was started again by its host is a new actor behind the same path; a reference
    /// to the stopped one would drop every request, and so would the empty reference a lookup gives while it is away
    /// (which counts as terminated too). A reference to another node's replica goes by path and needs no check.
    /// <c>IsTerminated</c> is marked obsolete in favour of watching, which only an actor can do. The node's
    /// <see cref="ForwardInbox"/> uses the same check for the replicas it hands forwarded requests to.
    /// </summary>
#pragma warning disable CS0618
    internal static bool Stopped(IActorRef replica) => replica is IInternalActorRef { IsLocal: true, IsTerminated: true };
#pragma warning restore CS0618

    private ValueTask<PartitionReply?> SendAsync(IActorRef replica, string groupId, KahunaRequest request, TimeSpan timeout, CancellationToken ct)
    {
        // One shared sweeper expires attempts (ExpireAttempts), instead of a timer per attempt: timers were among the
        // largest allocations per request; and the wait is a reused one, not a completion source per attempt.
        var wait = _attempts.Rent();
        var id = wait.Arm(Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency));
        wait.CancelWith(ct);
        _forwards.SendRequest(replica, groupId, new PartitionRequest((long)id, request, _replies));
        return wait.AsValueTask();
    }

    internal void Complete(PartitionReply reply) => _attempts.TryComplete(reply.CorrelationId, reply);

    /// <summary>Answers null (no reply in time) to every attempt past its deadline.</summary>
    private void ExpireAttempts() => _attempts.ExpireOverdue(Stopwatch.GetTimestamp());

    private static async Task<int> BackOff(int ms, CancellationToken ct)
    {
        await Task.Delay(ms + Random.Shared.Next(ms / 2 + 1), ct);
        return Math.Min(ms * 2, 200);
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>
    /// Where replicas send their replies: a temporary actor reference (like the one behind Ask) whose Tell completes
    /// the waiting attempt on the sender's thread. A reply from a local replica skips a mailbox hop; one from another
    /// node arrives through remoting at this reference's path.
    /// </summary>
    private sealed class RouterReplySink(PartitionRouter router, IActorRefProvider provider, ActorPath path) : MinimalActorRef
    {
        public override ActorPath Path { get; } = path;
        public override IActorRefProvider Provider { get; } = provider;

        public static IActorRef Register(PartitionRouter router, IActorRefProvider provider)
        {
            var sink = new RouterReplySink(router, provider, provider.TempPath());
            provider.RegisterTempActor(sink, sink.Path);
            return sink;
        }

        protected override void TellInternal(object message, IActorRef sender)
        {
            switch (message)
            {
                case PartitionReply reply:
                    router.Complete(reply);
                    break;
                case PartitionReplyBatch batch:
                    foreach (var r in batch.Replies) router.Complete(r);
                    break;
            }
        }
    }
}
