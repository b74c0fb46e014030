using Kahuna.Node.StateMachines.Results;
using MessagePack;

namespace Kahuna.Node.StateMachines.Sessions;

public sealed partial class ClientSessionTable
{
    /// <summary>The whole table as plain data, sessions least recently active first (the order eviction uses).</summary>
    public ClientSessionSnapshot ToSnapshot() => new(_byActivity
        .Select(session => new ClientSessionSnapshotEntry(
            session.ClientId.High,
            session.ClientId.Low,
            session.Floor,
            session.LastActiveMs,
            session.Results.Select(pair => new RememberedResult(pair.Key, pair.Value)).ToArray())
        {
            Evicted = session.Evicted.ToArray(),
        })
        .ToArray());

    /// <summary>Replaces the whole table with <paramref name="snapshot"/>.</summary>
    public void LoadSnapshot(ClientSessionSnapshot snapshot)
    {
        _sessions.Clear();
        _byActivity.Clear();
        foreach (var saved in snapshot.Sessions)
        {
            var session = new ClientSession((saved.ClientIdHigh, saved.ClientIdLow))
            {
                Floor = saved.Floor,
                LastActiveMs = saved.LastActiveMs,
            };
            foreach (var remembered in saved.Results)
            {
                session.Results.Add(remembered.Sequence, remembered.Result);
            }

            foreach (var sequence in saved.Evicted ?? [])
            {
                session.Evicted.Add(sequence);
            }

            _sessions.Add(session.ClientId, session);
            _byActivity.AddLast(session.ActivityNode);
        }
    }
}

/// <summary>Snapshot of a <see cref="ClientSessionTable"/>. Part of the on-disk snapshot format: keys are append only.</summary>
[MessagePackObject]
public sealed record ClientSessionSnapshot(
    [property: Key(0)] ClientSessionSnapshotEntry[] Sessions);

[MessagePackObject]
public sealed record ClientSessionSnapshotEntry(
    [property: Key(0)] ulong ClientIdHigh,
    [property: Key(1)] ulong ClientIdLow,
    [property: Key(2)] long Floor,
    [property: Key(3)] long LastActiveMs,
    [property: Key(4)] RememberedResult[] Results)
{
    /// <summary>Applied sequences whose results were dropped by the cap (absent in snapshots written before it existed).</summary>
    [Key(5)]
    public long[]? Evicted { get; init; }
}

[MessagePackObject]
public sealed record RememberedResult(
    [property: Key(0)] long Sequence,
    [property: Key(1)] IPartitionResult Result);
