using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Node.Partitions;

public sealed partial class PartitionApplication
{
    /// <summary>
    /// Ephemeral operations run on the leader's in-memory state only: no log write, lost when leadership moves.
    /// They wait until this leader has committed an entry of its term, so any leader that ever served them left a
    /// trace (its no-op) in every later leader's log; a later leader that finds such a trace waits out the longest
    /// ephemeral lease before granting ephemeral locks, so it never grants one an earlier leader may still consider held.
    /// </summary>
    private void HandleEphemeral(PartitionRequest request)
    {
        if (!_host.CommittedInCurrentTerm || _ephemeral is null)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.Retry, "the partition leader is still starting"));
            return;
        }
        var eph = _ephemeral;
        var now = Math.Max(_clock(), eph.NowMs);
        switch (request.Request)
        {
            case GetLockRequest r:
                Reply(request, RequestTranslator.ToResponse(r, eph.Locks.GetLock(r.Resource, now)));
                return;
            case GetRequest r:
                Reply(request, RequestTranslator.ToResponse(r, r.AtRevision > 0 ? eph.KeyValues.Get(r.Key, r.AtRevision, now) : eph.KeyValues.Get(r.Key, now)));
                return;
            case ExistsRequest r:
                Reply(request, RequestTranslator.ToResponse(r, eph.KeyValues.Exists(r.Key, now)));
                return;
            case ScanRequest r:
                Reply(request, Scan(eph.KeyValues, r, now));
                return;
            case GetManyRequest r:
                Reply(request, GetMany(eph.KeyValues, r, now));
                return;
            case TryLockRequest r when r.LeaseMs > _settings.EphemeralMaxLeaseMs:
                Reply(request, ErrorResponse.Create(KahunaStatus.InvalidInput,
                    $"an ephemeral lock lease may be at most {_settings.EphemeralMaxLeaseMs} ms (kahuna.ephemeral.max-lock-lease)"));
                return;
            case TryLockRequest when now < EphemeralLocksSafeAtMs:
                Reply(request, ErrorResponse.Create(KahunaStatus.Retry,
                    $"a new partition leader waits {EphemeralLocksSafeAtMs - now} ms more before granting ephemeral locks"));
                return;
        }
        var command = RequestTranslator.ToCommand(request.Request, now);
        if (command is null)
        {
            Reply(request, ErrorResponse.Create(KahunaStatus.InvalidInput, $"{request.Request.GetType().Name} has no ephemeral form"));
            return;
        }
        Reply(request, RequestTranslator.ToResponse(request.Request, eph.Execute(command)));
    }

    /// <summary>
    /// When this leader may grant ephemeral locks: at once if no earlier leader ever committed anything (a new
    /// partition), else after the longest ephemeral lease plus the time a deposed leader may still believe it leads.
    /// </summary>
    private long EphemeralLocksSafeAtMs =>
        _host.TermBeforeLeadership == 0 ? 0 : _leaderSinceMs + _settings.EphemeralMaxLeaseMs + _settings.ElectionTimeoutMs;
}
