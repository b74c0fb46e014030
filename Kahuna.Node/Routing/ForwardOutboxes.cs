using System.Collections.Concurrent;
using Akka.Actor;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Routing;

/// <summary>
/// Requests this node forwards to partition leaders on other nodes, and the answers its leaders send back to other
/// nodes' routers, coalesced per destination (<see cref="CoalescingOutbox{T}"/>): one remoting message carries every
/// request or answer that gathered while the last one was sent. A client that does not route to leaders itself (the
/// CLI, another language's client) sends every request through such a hop and back; without this, each was a
/// remoting message of its own, and only the transport's flush consolidation kept their socket writes few (which
/// <c>kahuna.conf</c> turns off: it delays every send, Raft's already coalesced ones included, behind a scheduled flush).
/// Requests arrive at the other node's <see cref="ForwardInbox"/>; answers at the router's reply sink.
/// </summary>
/// <param name="enabled">False (<c>kahuna.requests.batch-forwards = off</c>) sends each request and answer on its own.</param>
public sealed class ForwardOutboxes(IActorRefProvider provider, bool enabled)
{
    private readonly ConcurrentDictionary<Address, CoalescingOutbox<ForwardedRequest>> _requests = new();
    private readonly ConcurrentDictionary<IActorRef, CoalescingOutbox<PartitionReply>> _replies = new();
    private long _requestBatches;
    private long _requestsBatched;
    private long _replyBatches;
    private long _repliesBatched;

    /// <summary>Batches of forwarded requests sent, and the requests they carried (for status and tests).</summary>
    public (long Batches, long Messages) RequestsSent => (Interlocked.Read(ref _requestBatches), Interlocked.Read(ref _requestsBatched));

    /// <summary>Batches of answers sent to other nodes' routers, and the answers they carried.</summary>
    public (long Batches, long Messages) RepliesSent => (Interlocked.Read(ref _replyBatches), Interlocked.Read(ref _repliesBatched));

    /// <summary>Sends a request to a replica: coalesced when the replica is on another node, a plain tell otherwise.</summary>
    public void SendRequest(IActorRef replica, string groupId, PartitionRequest request)
    {
        if (!enabled || replica is not IInternalActorRef { IsLocal: false })
        {
            replica.Tell(request, ActorRefs.NoSender);
            return;
        }
        _requests.GetOrAdd(replica.Path.Address, static (address, self) => new CoalescingOutbox<ForwardedRequest>(
                self.Provider.ResolveActorRef(ForwardInbox.PathOn(address)),
                static r => EstimateBytes(r.Request.Request) + r.GroupId.Length,
                self.RequestBatch), this)
            .Enqueue(new ForwardedRequest(groupId, request));
    }

    /// <summary>Answers a request: coalesced when the router that asked is on another node, a plain tell otherwise.</summary>
    public void SendReply(IActorRef replyTo, PartitionReply reply)
    {
        if (!enabled || replyTo is not IInternalActorRef { IsLocal: false })
        {
            replyTo.Tell(reply, ActorRefs.NoSender);
            return;
        }
        _replies.GetOrAdd(replyTo, static (target, self) => new CoalescingOutbox<PartitionReply>(
                target, static r => EstimateBytes(r.Response), self.ReplyBatch), this)
            .Enqueue(reply);
    }

    private IActorRefProvider Provider => provider;

    private object RequestBatch(List<ForwardedRequest> batch)
    {
        Interlocked.Increment(ref _requestBatches);
        Interlocked.Add(ref _requestsBatched, batch.Count);
        return new PartitionRequestBatch(batch);
    }

    private object ReplyBatch(List<PartitionReply> batch)
    {
        Interlocked.Increment(ref _replyBatches);
        Interlocked.Add(ref _repliesBatched, batch.Count);
        return new PartitionReplyBatch(batch);
    }

    /// <summary>
    /// An upper bound of a message's encoded size, so that a batch (cut at 1 MiB) stays well under remoting's frame
    /// limit (4 MiB). Only values and lists (a batch's keys or revisions, a scan's or GetMany's items) can be large;
    /// everything else a request or answer holds (a key, a lock owner, a name, an error text) is bounded by
    /// <see cref="ProtocolLimits"/> to a few KiB.
    /// </summary>
    internal static int EstimateBytes(KahunaRequest request) => SmallMessageBytes + request switch
    {
        SetRequest set => set.Value.Length + (set.CompareValue?.Length ?? 0),
        // Batches arrived in one client frame; their keys add up to at most ProtocolLimits.MaxBatchKeyBytes.
        GetManyRequest many => Sum(many.Keys, KeyBytes),
        SetManyRequest many => Sum(many.Items, item => KeyBytes(item?.Key) + (item?.Value?.Length ?? 0) + 8),
        DeleteManyRequest many => Sum(many.Keys, KeyBytes),
        _ => 0,
    };

    internal static int EstimateBytes(KahunaResponse response) => SmallMessageBytes + response switch
    {
        GetResponse get => get.Value?.Length ?? 0,
        // A part holds at most ProtocolLimits.ScanPageBytes plus one item, or MaxBatchResponseBytes of values.
        ScanResponse scan => Sum(scan.Items, item => ScanMerge.SizeOf(item) + 32),
        GetManyResponse many => Sum(many.Items, item => (item?.Value?.Length ?? 0) + 32),
        // Up to MaxBatchKeys revisions of up to 9 bytes each: more than the small allowance on their own.
        SetManyResponse many => RevisionsBytes(many.Revisions),
        DeleteManyResponse many => RevisionsBytes(many.Revisions),
        _ => 0,
    };

    // A UTF-16 unit takes at most 3 UTF-8 bytes; 8 more for the string's header.
    private static long KeyBytes(string? key) => (key?.Length ?? 0) * 3L + 8;

    private static int RevisionsBytes(long[]? revisions) => (revisions?.Length ?? 0) * 9;

    private static int Sum<T>(T[]? items, Func<T, long> bytes)
    {
        long total = 0;
        foreach (var item in items ?? []) total += bytes(item);
        return (int)Math.Min(total, int.MaxValue - SmallMessageBytes);
    }

    private const int SmallMessageBytes = 8 * 1024;
}

/// <summary>
/// Where other nodes' routers send their coalesced requests: a temporary actor reference at a well-known path whose
/// tell hands each request to this node's replica of the request's group, on the remoting reader's thread (no mailbox
/// hop of its own). A group not hosted here drops its request, as a direct tell to a missing replica would; the
/// router's attempt then times out and it tries another replica.
/// </summary>
public sealed class ForwardInbox : MinimalActorRef
{
    public const string Name = "kahuna-forward";

    private readonly ConcurrentDictionary<string, IActorRef> _replicas = new(StringComparer.Ordinal);

    private ForwardInbox(IActorRefProvider provider, ActorPath path)
    {
        Provider = provider;
        Path = path;
    }

    public override ActorPath Path { get; }
    public override IActorRefProvider Provider { get; }

    /// <summary>The inbox of the node at <paramref name="address"/>.</summary>
    public static ActorPath PathOn(Address address) => new RootActorPath(address) / "temp" / Name;

    public static ForwardInbox Register(IActorRefProvider provider)
    {
        // Registered under the provider's own temp node (its path carries the local address, not the remoting one);
        // other nodes reach it at PathOn(this node's address), which resolves to the same child of that node.
        var inbox = new ForwardInbox(provider, provider.TempPath().Parent / Name);
        provider.RegisterTempActor(inbox, inbox.Path);
        return inbox;
    }

    protected override void TellInternal(object message, IActorRef sender)
    {
        if (message is not PartitionRequestBatch batch) return;
        foreach (var forwarded in batch.Requests)
            ReplicaOf(forwarded.GroupId).Tell(forwarded.Request, ActorRefs.NoSender);
    }

    /// <summary>The local replica actor of a group; looked up again when the cached one has stopped (a restart makes a new one).</summary>
    private IActorRef ReplicaOf(string groupId)
    {
        if (_replicas.TryGetValue(groupId, out var cached) && !PartitionRouter.Stopped(cached)) return cached;
        var replica = Provider.ResolveActorRef(new RootActorPath(Provider.DefaultAddress) / "user" / RaftHostProtocol.Name / groupId);
        _replicas[groupId] = replica;
        return replica;
    }
}
