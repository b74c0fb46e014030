using Kahuna.Protocol;
using Kahuna.Protocol.Messages;

namespace Kahuna.Tests.Protocol.Support;

// The lock and key/value semantics of the fake, each as simple as it can be.
internal sealed partial class InMemoryKahunaHandler
{
    private KahunaResponse TryLock(TryLockRequest r)
    {
        long now = NowUnixMs();
        var id = (r.Resource, r.Durability);
        if (_locks.TryGetValue(id, out var held) && held.ExpiresAtUnixMs > now)
        {
            return held.Owner.AsSpan().SequenceEqual(r.Owner)
                ? new TryLockResponse { Status = KahunaStatus.Ok, FencingToken = held.FencingToken, ExpiresAtUnixMs = held.ExpiresAtUnixMs }
                : new TryLockResponse { Status = KahunaStatus.Busy };
        }
        long token = _fencing.GetValueOrDefault(id) + 1;
        _fencing[id] = token;
        var entry = new LockEntry(r.Owner, now + r.LeaseMs, token);
        _locks[id] = entry;
        return new TryLockResponse { Status = KahunaStatus.Ok, FencingToken = token, ExpiresAtUnixMs = entry.ExpiresAtUnixMs };
    }

    private KahunaResponse ExtendLock(ExtendLockRequest r)
    {
        var id = (r.Resource, r.Durability);
        long now = NowUnixMs();
        if (!_locks.TryGetValue(id, out var held) || held.ExpiresAtUnixMs <= now)
            return new ExtendLockResponse { Status = KahunaStatus.NotFound };
        if (!held.Owner.AsSpan().SequenceEqual(r.Owner))
            return new ExtendLockResponse { Status = KahunaStatus.NotOwner };
        _locks[id] = held with { ExpiresAtUnixMs = now + r.LeaseMs };
        return new ExtendLockResponse { Status = KahunaStatus.Ok, FencingToken = held.FencingToken, ExpiresAtUnixMs = now + r.LeaseMs };
    }

    private KahunaResponse Unlock(UnlockRequest r)
    {
        var id = (r.Resource, r.Durability);
        if (!_locks.TryGetValue(id, out var held) || held.ExpiresAtUnixMs <= NowUnixMs())
            return new UnlockResponse { Status = KahunaStatus.NotFound };
        if (!held.Owner.AsSpan().SequenceEqual(r.Owner))
            return new UnlockResponse { Status = KahunaStatus.NotOwner };
        _locks.Remove(id);
        return new UnlockResponse { Status = KahunaStatus.Ok };
    }

    private KahunaResponse GetLock(GetLockRequest r)
    {
        if (!_locks.TryGetValue((r.Resource, r.Durability), out var held) || held.ExpiresAtUnixMs <= NowUnixMs())
            return ErrorResponse.Create(KahunaStatus.NotFound, "not held"); // A bare status is a valid answer too.
        return new GetLockResponse { Status = KahunaStatus.Ok, Owner = held.Owner, ExpiresAtUnixMs = held.ExpiresAtUnixMs, FencingToken = held.FencingToken };
    }

    private KeyRevision? Latest((string, Durability) id) =>
        _keys.TryGetValue(id, out var history) && history.Count > 0 ? history[^1] : null;

    private KahunaResponse Set(SetRequest r)
    {
        var id = (r.Key, r.Durability);
        long now = NowUnixMs();
        var latest = Latest(id);
        bool live = latest?.IsLive(now) == true;
        long currentRevision = live ? latest!.Revision : 0;
        bool holds = (!r.Flags.HasFlag(SetFlags.IfNotExists) || !live)
                     && (!r.Flags.HasFlag(SetFlags.IfExists) || live)
                     && (r.CompareValue is null || (live && latest!.Value!.AsSpan().SequenceEqual(r.CompareValue)))
                     && (r.CompareRevision is null || (live && latest!.Revision == r.CompareRevision));
        if (!holds)
            return new SetResponse { Status = KahunaStatus.PreconditionFailed, Revision = currentRevision, Message = "condition failed" };
        long revision = (latest?.Revision ?? 0) + 1;
        if (!_keys.TryGetValue(id, out var history))
            _keys[id] = history = [];
        history.Add(new KeyRevision(r.Value, revision, r.TtlMs == 0 ? 0 : now + r.TtlMs));
        return new SetResponse { Status = KahunaStatus.Ok, Revision = revision };
    }

    private KahunaResponse Get(GetRequest r)
    {
        long now = NowUnixMs();
        var id = (r.Key, r.Durability);
        KeyRevision? found = r.AtRevision == 0
            ? Latest(id)
            : _keys.GetValueOrDefault(id)?.FirstOrDefault(k => k.Revision == r.AtRevision);
        if (found is null || !found.IsLive(now))
            return new GetResponse { Status = KahunaStatus.NotFound };
        return new GetResponse { Status = KahunaStatus.Ok, Value = found.Value, Revision = found.Revision, ExpiresAtUnixMs = found.ExpiresAtUnixMs };
    }

    private KahunaResponse Exists(ExistsRequest r)
    {
        var latest = Latest((r.Key, r.Durability));
        return latest?.IsLive(NowUnixMs()) == true
            ? new ExistsResponse { Status = KahunaStatus.Ok, Revision = latest.Revision, ExpiresAtUnixMs = latest.ExpiresAtUnixMs }
            : new ExistsResponse { Status = KahunaStatus.NotFound };
    }

    private KahunaResponse Delete(DeleteRequest r)
    {
        var id = (r.Key, r.Durability);
        var latest = Latest(id);
        if (latest?.IsLive(NowUnixMs()) != true)
            return new DeleteResponse { Status = KahunaStatus.NotFound };
        var tombstone = new KeyRevision(null, latest.Revision + 1, 0);
        _keys[id].Add(tombstone);
        return new DeleteResponse { Status = KahunaStatus.Ok, Revision = tombstone.Revision };
    }

    private KahunaResponse Extend(ExtendRequest r)
    {
        var id = (r.Key, r.Durability);
        long now = NowUnixMs();
        var latest = Latest(id);
        if (latest?.IsLive(now) != true)
            return new ExtendResponse { Status = KahunaStatus.NotFound };
        var extended = latest with { ExpiresAtUnixMs = r.TtlMs == 0 ? 0 : now + r.TtlMs };
        _keys[id][^1] = extended;
        return new ExtendResponse { Status = KahunaStatus.Ok, Revision = extended.Revision, ExpiresAtUnixMs = extended.ExpiresAtUnixMs };
    }
}
