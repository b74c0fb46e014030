using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.Results;

namespace Kahuna.Node.StateMachines.Sessions;

/// <summary>How a write relates to what its client session remembers.</summary>
public enum SessionCheckOutcome
{
    /// <summary>Never seen: apply it, then <see cref="ClientSessionTable.Remember"/> the result.</summary>
    New,

    /// <summary>Already applied: answer the remembered result, do not apply again.</summary>
    Duplicate,

    /// <summary>Below the session's floor: it may have been applied but its result is forgotten; do not apply.</summary>
    Forgotten,
}

/// <summary>The verdict of <see cref="ClientSessionTable.Check"/>; <see cref="Remembered"/> is set for duplicates.</summary>
public readonly record struct SessionCheck(SessionCheckOutcome Outcome, IPartitionResult? Remembered);

/// <summary>
/// De-duplicates retried writes. Each client (a random 128-bit id) numbers its writes; the partition remembers, per
/// client, the results of the sequences at or above the client's floor (<c>CompletedBelow</c>: every lower sequence
/// has completed, so the client will never retry it). A write already applied gets its remembered result back.
/// </summary>
/// <remarks>
/// <para>Bounded memory, and what it costs:</para>
/// <list type="bullet">
/// <item>Results below the floor are forgotten; a write below the floor is answered <see cref="SessionCheckOutcome.Forgotten"/>
/// and never applied (it may already have been).</item>
/// <item>Beyond <see cref="ClientSessionOptions.MaxResultsPerSession"/> the result of the lowest remembered sequence is
/// dropped but its number is kept (<c>Evicted</c>): a late retry of it is answered Forgotten (never applied twice),
/// while a write of the client's that is still on its way, overtaken by more than the cap of later ones (a client
/// pipelining hundreds of writes at 100k/s, one of them delayed by a pause), is still applied when it arrives.
/// Only beyond <see cref="ClientSessionOptions.MaxEvictedPerSession"/> numbers is the floor raised past the lowest
/// one, and a write below it answered Forgotten.</item>
/// <item>A session idle longer than <see cref="ClientSessionOptions.RetentionMs"/>, or the least recently active one when
/// <see cref="ClientSessionOptions.MaxSessions"/> is reached, is dropped whole: a retry from it after that is applied
/// again. Clients must therefore stop retrying a write well within the retention window.</item>
/// </list>
/// <para>Deterministic: activity order is the order of commands, and time is the command's.</para>
/// </remarks>
public sealed partial class ClientSessionTable
{
    private readonly Dictionary<(ulong High, ulong Low), ClientSession> _sessions = new();
    private readonly LinkedList<ClientSession> _byActivity = new();
    private readonly ClientSessionOptions _options;

    public ClientSessionTable(ClientSessionOptions? options = null)
    {
        _options = options ?? new ClientSessionOptions();
        _options.Validate();
    }

    public int Count => _sessions.Count;

    /// <summary>Results remembered across all sessions.</summary>
    public int RememberedResultCount => _sessions.Values.Sum(session => session.Results.Count);

    /// <summary>Records the client's activity and floor, and says whether <paramref name="operation"/> must be applied.</summary>
    public SessionCheck Check(OperationId operation, long completedBelow, long nowMs)
    {
        var session = Touch(operation, nowMs);
        RaiseFloor(session, completedBelow);
        if (operation.Sequence < session.Floor || session.Evicted.Contains(operation.Sequence))
        {
            return new SessionCheck(SessionCheckOutcome.Forgotten, null);
        }

        return session.Results.TryGetValue(operation.Sequence, out var remembered)
            ? new SessionCheck(SessionCheckOutcome.Duplicate, remembered)
            : new SessionCheck(SessionCheckOutcome.New, null);
    }

    /// <summary>Remembers the result of an operation <see cref="Check"/> called new.</summary>
    public void Remember(OperationId operation, IPartitionResult result)
    {
        if (!_sessions.TryGetValue((operation.ClientIdHigh, operation.ClientIdLow), out var session))
        {
            return;
        }

        session.Results[operation.Sequence] = result;
        if (session.Results.Count > _options.MaxResultsPerSession)
        {
            session.Evicted.Add(session.Results.Keys[0]);
            session.Results.RemoveAt(0);
        }

        if (session.Evicted.Count > _options.MaxEvictedPerSession)
        {
            RaiseFloor(session, session.Evicted.Min + 1);
        }
    }

    /// <summary>Drops sessions idle for the retention window at <paramref name="nowMs"/> (at most <paramref name="budget"/>).</summary>
    public int CollectGarbage(long nowMs, int budget)
    {
        var dropped = 0;
        while (dropped < budget && _byActivity.First is { } oldest
               && oldest.Value.LastActiveMs + _options.RetentionMs <= nowMs)
        {
            Drop(oldest.Value);
            dropped++;
        }

        return dropped;
    }

    private ClientSession Touch(OperationId operation, long nowMs)
    {
        var clientId = (operation.ClientIdHigh, operation.ClientIdLow);
        if (_sessions.TryGetValue(clientId, out var session))
        {
            _byActivity.Remove(session.ActivityNode);
        }
        else
        {
            if (_sessions.Count >= _options.MaxSessions)
            {
                Drop(_byActivity.First!.Value);
            }

            session = new ClientSession(clientId);
            _sessions.Add(clientId, session);
        }

        session.LastActiveMs = nowMs;
        _byActivity.AddLast(session.ActivityNode);
        return session;
    }

    private static void RaiseFloor(ClientSession session, long floor)
    {
        if (floor <= session.Floor)
        {
            return;
        }

        session.Floor = floor;
        while (session.Evicted.Count > 0 && session.Evicted.Min < floor) session.Evicted.Remove(session.Evicted.Min);
        var stale = 0;
        while (stale < session.Results.Count && session.Results.Keys[stale] < floor) stale++;
        for (var i = stale - 1; i >= 0; i--) session.Results.RemoveAt(i);
    }

    private void Drop(ClientSession session)
    {
        _sessions.Remove(session.ClientId);
        _byActivity.Remove(session.ActivityNode);
    }

    private sealed class ClientSession
    {
        public ClientSession((ulong High, ulong Low) clientId)
        {
            ClientId = clientId;
            ActivityNode = new LinkedListNode<ClientSession>(this);
        }

        public (ulong High, ulong Low) ClientId { get; }

        public LinkedListNode<ClientSession> ActivityNode { get; }

        public long Floor { get; set; }

        public long LastActiveMs { get; set; }

        // Sorted by sequence; a list because the smallest key is read on every write (O(1), no enumerator) and a
        // session holds at most MaxResultsPerSession entries, mostly appended at the end.
        public SortedList<long, IPartitionResult> Results { get; } = new();

        // Sequences at or above the floor that were applied but whose results the cap pushed out.
        public SortedSet<long> Evicted { get; } = new();
    }
}
