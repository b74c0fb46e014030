using Akka.Actor;
using Kahuna.Node.Routing;
using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Node.StateMachines.Sequences;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Partitions;

/// <summary>
/// What a partition replica runs: the replicated state machine (locks, keys, sequences) plus, on the leader, the
/// ephemeral keyspace held only in memory and the sequence block allocator. Persistent writes go through Raft,
/// persistent reads wait for ReadIndex (or the lease), ephemeral operations run directly on the leader.
/// </summary>
public sealed partial class PartitionApplication : IReplicaApplication
{
    private readonly PartitionSettings _settings;
    private readonly Func<long> _clock;
    private readonly ForwardOutboxes? _forwards;
    private readonly CommandVersionGate? _versions;
    private readonly PartitionStateMachine _persistent;
    private readonly SequenceBlockAllocator _allocator;
    private PartitionStateMachine? _ephemeral;
    private IReplicaHost _host = null!;
    private long _leaderSinceMs;
    private long _ticks;

    /// <param name="settings">The partition's settings.</param>
    /// <param name="clock">The leader's clock (Unix ms); the system clock when null.</param>
    /// <param name="forwards">Coalesces answers to other nodes' routers; each answer goes on its own when null.</param>
    /// <param name="versions">Refuses commands some node cannot apply yet (a rolling upgrade); none refused when null.</param>
    public PartitionApplication(PartitionSettings settings, Func<long>? clock = null, ForwardOutboxes? forwards = null,
        CommandVersionGate? versions = null)
    {
        _settings = settings;
        _forwards = forwards;
        _versions = versions;
        _clock = clock ?? (() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        _persistent = new PartitionStateMachine(settings.StateMachine);
        _allocator = new SequenceBlockAllocator(settings.SequenceBlockSize);
    }

    /// <summary>The replicated state (tests inspect it).</summary>
    public PartitionStateMachine State => _persistent;

    public void Attach(IReplicaHost host) => _host = host;

    public object? Apply(long index, ReadOnlyMemory<byte> command) => _persistent.Apply(index, command);

    public byte[] TakeSnapshot() => _persistent.TakeSnapshot();

    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot) => _persistent.RestoreSnapshot(snapshot);

    /// <summary>The leader's clock, never behind what the state machine has already seen (time does not go backwards).</summary>
    private long Now => Math.Max(_clock(), _persistent.NowMs);

    public void OnRoleChanged(RaftRole role, long term, string? leader)
    {
        _allocator.Clear();
        FailSequenceWaiters(leader);
        if (role == RaftRole.Leader)
        {
            // Ephemeral state starts empty with each leadership; tokens start above anything an earlier term issued.
            _ephemeral = new PartitionStateMachine(_settings.StateMachine with { InitialFencingToken = term << 32 });
            _leaderSinceMs = _clock();
        }
        else
        {
            _ephemeral = null;
        }
    }

    public void OnTick()
    {
        if (!_host.IsLeader || ++_ticks % _settings.ExpirySweepTicks != 0) return;
        SweepExpired();
    }

    public void Handle(object message, IActorRef sender)
    {
        if (message is not PartitionRequest request) return;
        if (request.Request is UnsupportedRequest unsupported)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.Unsupported,
                $"{unsupported.Problem}: node {_host.ReplicaId} runs an older Kahuna version that does not know that request"));
            return;
        }
        if (!_host.IsLeader)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.NotLeader, "not the partition leader"), _host.Leader);
            return;
        }
        try
        {
            if (request.Request is TransferLeaderRequest transfer) HandleTransfer(request, transfer);
            else if (RequestTranslator.DurabilityOf(request.Request) == Durability.Ephemeral) HandleEphemeral(request);
            else HandlePersistent(request);
        }
        catch (Exception e)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.InternalError, e.Message));
        }
    }

    private void HandlePersistent(PartitionRequest request)
    {
        switch (request.Request)
        {
            case GetLockRequest r:
                ReadThen(request, () => RequestTranslator.ToResponse(r, _persistent.Locks.GetLock(r.Resource, Now)));
                return;
            case GetRequest r:
                ReadThen(request, () => RequestTranslator.ToResponse(r, r.AtRevision > 0
                    ? _persistent.KeyValues.Get(r.Key, r.AtRevision, Now)
                    : _persistent.KeyValues.Get(r.Key, Now)));
                return;
            case ExistsRequest r:
                ReadThen(request, () => RequestTranslator.ToResponse(r, _persistent.KeyValues.Exists(r.Key, Now)));
                return;
            case ScanRequest r:
                ReadThen(request, () => Scan(_persistent.KeyValues, r, Now));
                return;
            case GetManyRequest r:
                ReadThen(request, () => GetMany(_persistent.KeyValues, r, Now));
                return;
            case NextSequenceRequest { IdempotencyKey: null } r:
                NextFromBlock(request, r);
                return;
        }
        var command = RequestTranslator.ToCommand(request.Request, Now);
        if (command is null)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.InvalidInput, $"{request.Request.GetType().Name} is not served by partitions"));
            return;
        }
        if (_versions?.Refusal(command) is { } refusal)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.Unsupported, refusal));
            return;
        }
        Propose(command,
            result => Reply(request, RequestTranslator.ToResponse(request.Request, result as IPartitionResult)),
            failure => Reply(request, Failed(failure), failure.LeaderHint));
    }

    /// <summary>Starts handing leadership to the target (the router checked it holds a replica) and answers at once.</summary>
    private void HandleTransfer(PartitionRequest request, TransferLeaderRequest transfer)
    {
        var self = _host.ReplicaId;
        if (transfer.TargetNodeId == self)
        {
            Reply(request, new TransferLeaderResponse { Status = KahunaStatus.Ok, PreviousLeader = self, Message = $"{self} already leads" });
            return;
        }
        if (!_host.TransferLeadership(transfer.TargetNodeId))
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.Retry,
                $"{self} could not start a transfer to {transfer.TargetNodeId} (it is not a voter of this Raft group)"));
            return;
        }
        Reply(request, new TransferLeaderResponse { Status = KahunaStatus.Ok, PreviousLeader = self });
    }

    private void Propose(IPartitionCommand command, Action<object?> onApplied, Action<ReplicaFailure> onFailed) =>
        _host.Propose(PartitionCommandCodec.Encode(command), onApplied, onFailed);

    /// <summary>Most keys one partition looks at for one scan page, expired keys and tombstones included: one page is one short turn.</summary>
    private const int ScanMaxVisits = 10_000;

    private static ScanResponse Scan(KeyValueStore store, ScanRequest request, long nowMs) =>
        RequestTranslator.ToResponse(store.ScanPrefix(request.Prefix ?? "", request.StartAfter, request.EffectiveLimit,
            ProtocolLimits.ScanPageBytes, ScanMaxVisits, request.KeysOnly, nowMs));

    /// <summary>This partition's keys of a GetMany, in the order asked; TooLarge past the answer's byte limit.</summary>
    private static KahunaResponse GetMany(KeyValueStore store, GetManyRequest request, long nowMs)
    {
        var keys = request.Keys;
        var items = new GetManyItem[keys.Length];
        long bytes = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var found = store.Get(keys[i], nowMs);
            bytes += found.Value?.Length ?? 0;
            if (bytes > ProtocolLimits.MaxBatchResponseBytes) return PartitionRouter.GetManyTooLarge(bytes);
            items[i] = RequestTranslator.ToItem(found);
        }
        return new GetManyResponse { Status = KahunaStatus.Ok, Items = items };
    }

    /// <summary>A linearizable read: served once a quorum confirmed this leader (or under the lease) and it has applied that far.</summary>
    private void ReadThen(PartitionRequest request, Func<KahunaResponse> read) =>
        _host.ReadIndex(() => Reply(request, read()), failure => Reply(request, Failed(failure), failure.LeaderHint));

    private static KahunaResponse Failed(ReplicaFailure failure) => failure.Status switch
    {
        ProposeStatus.NotLeader or ProposeStatus.TransferInProgress => ErrorResponse.Create(KahunaStatus.NotLeader, failure.Reason),
        ProposeStatus.Overloaded => ErrorResponse.Create(KahunaStatus.Overloaded, "the partition leader has too many uncommitted writes"),
        _ => ErrorResponse.Create(KahunaStatus.Retry, failure.Reason),
    };

    private void Reply(PartitionRequest request, KahunaResponse response, string? leaderHint = null)
    {
        var reply = new PartitionReply(request.CorrelationId, response, leaderHint ?? (_host.IsLeader ? _host.ReplicaId : _host.Leader));
        if (_forwards is null) request.ReplyTo.Tell(reply);
        else _forwards.SendReply(request.ReplyTo, reply);
    }

    /// <summary>Proposes the removal of keys and locks whose time has passed (expiry is a replicated decision).</summary>
    private void SweepExpired()
    {
        var now = Now;
        var keys = _persistent.KeyValues.ListExpiredKeys(now, _settings.ExpiryBatch);
        if (keys.Count > 0) Propose(new ExpireKeysCommand(now, keys.ToArray()), _ => { }, _ => { });
        var locks = _persistent.Locks.ListExpiredLocks(now, _settings.ExpiryBatch);
        if (locks.Count > 0) Propose(new ExpireLocksCommand(now, locks.ToArray()), _ => { }, _ => { });
        if (_ephemeral is { } eph)
        {
            var ek = eph.KeyValues.ListExpiredKeys(now, _settings.ExpiryBatch);
            if (ek.Count > 0) eph.Execute(new ExpireKeysCommand(now, ek.ToArray()));
            var el = eph.Locks.ListExpiredLocks(now, _settings.ExpiryBatch);
            if (el.Count > 0) eph.Execute(new ExpireLocksCommand(now, el.ToArray()));
        }
    }
}
