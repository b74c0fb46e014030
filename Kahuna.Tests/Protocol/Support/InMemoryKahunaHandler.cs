using System.Collections.Concurrent;
using Kahuna.Node.Network;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;

namespace Kahuna.Tests.Protocol.Support;

/// <summary>
/// A small in-memory implementation of the request semantics for protocol tests: locks with leases and
/// fencing tokens, keys with revisions and TTLs, sequences, and de-duplication by operation id. One lock
/// guards everything; it is a fake, not a model of the real state machines.
/// </summary>
internal sealed partial class InMemoryKahunaHandler : IKahunaRequestHandler
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string, Durability), LockEntry> _locks = new();
    private readonly Dictionary<(string, Durability), long> _fencing = new();
    private readonly Dictionary<(string, Durability), List<KeyRevision>> _keys = new();
    private readonly Dictionary<string, long> _sequences = new();
    private readonly Dictionary<string, NextSequenceResponse> _sequenceIdempotency = new();
    private readonly Dictionary<OperationId, KahunaResponse> _applied = new();

    /// <summary>Every request handed to the handler, in arrival order.</summary>
    public ConcurrentQueue<KahunaRequest> Received { get; } = new();

    /// <summary>Runs before the semantics; a non-null answer is returned instead (to inject Retry, delays, faults).</summary>
    public Func<KahunaRequest, CancellationToken, ValueTask<KahunaResponse?>>? Intercept { get; set; }

    /// <summary>Runs after a request took effect, before its answer is returned (to lose an answer after applying).</summary>
    public Func<KahunaRequest, CancellationToken, ValueTask>? AfterApply { get; set; }

    /// <summary>The clock of leases and TTLs (Unix ms); tests may move it.</summary>
    public Func<long> NowUnixMs { get; set; } = () => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public async ValueTask<KahunaResponse> HandleAsync(KahunaRequest request, RequestContext context, CancellationToken cancellationToken)
    {
        Received.Enqueue(request);
        if (Intercept is { } intercept && await intercept(request, cancellationToken) is { } injected)
            return injected;
        KahunaResponse response;
        lock (_gate)
        {
            if (request is KahunaWriteRequest write && _applied.TryGetValue(write.OperationId, out var earlier))
                return earlier;
            response = Apply(request);
            if (request is KahunaWriteRequest applied)
            {
                _applied[applied.OperationId] = response;
                AppliedWrites++;
            }
        }
        if (AfterApply is { } afterApply)
            await afterApply(request, cancellationToken);
        return response;
    }

    /// <summary>Writes that took effect (a de-duplicated retry does not count).</summary>
    public int AppliedWrites { get; private set; }

    private KahunaResponse Apply(KahunaRequest request) => request switch
    {
        TryLockRequest r => TryLock(r),
        ExtendLockRequest r => ExtendLock(r),
        UnlockRequest r => Unlock(r),
        GetLockRequest r => GetLock(r),
        SetRequest r => Set(r),
        GetRequest r => Get(r),
        ExistsRequest r => Exists(r),
        DeleteRequest r => Delete(r),
        ExtendRequest r => Extend(r),
        NextSequenceRequest r => NextSequence(r),
        _ => ErrorResponse.Create(KahunaStatus.InvalidInput, $"unsupported {request.GetType().Name}"),
    };

    private NextSequenceResponse NextSequence(NextSequenceRequest r)
    {
        if (r.IdempotencyKey is { } key && _sequenceIdempotency.TryGetValue($"{r.Name}\n{key}", out var earlier))
            return earlier;
        long start = _sequences.GetValueOrDefault(r.Name, 1);
        _sequences[r.Name] = start + r.Count;
        var response = new NextSequenceResponse { Status = KahunaStatus.Ok, Start = start, Count = r.Count };
        if (r.IdempotencyKey is { } newKey)
            _sequenceIdempotency[$"{r.Name}\n{newKey}"] = response;
        return response;
    }

    private sealed record LockEntry(byte[] Owner, long ExpiresAtUnixMs, long FencingToken);

    private sealed record KeyRevision(byte[]? Value, long Revision, long ExpiresAtUnixMs)
    {
        public bool IsLive(long now) => Value is not null && (ExpiresAtUnixMs == 0 || ExpiresAtUnixMs > now);
    }
}
