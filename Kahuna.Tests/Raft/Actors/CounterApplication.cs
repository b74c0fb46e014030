using System.Buffers.Binary;
using Akka.Actor;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// A tiny replicated application for actor-level tests: it counts applied commands and folds their bytes into a
/// checksum, so two replicas that applied the same log agree on (Count, Checksum).
/// </summary>
internal sealed class CounterApplication : IReplicaApplication
{
    public sealed record Write(byte[] Data);
    public sealed record Written(long Index);
    public sealed record WriteFailed(ProposeStatus Status, string? LeaderHint);
    public sealed record Read;
    public sealed record ReadResult(long Count, ulong Checksum);
    /// <summary>Local state without any read confirmation (tests compare replicas with it).</summary>
    public sealed record Peek;

    private IReplicaHost _host = null!;
    private long _count;
    private ulong _checksum = 1469598103934665603UL;

    public void Attach(IReplicaHost host) => _host = host;

    public object? Apply(long index, ReadOnlyMemory<byte> command)
    {
        _count++;
        foreach (var b in command.Span) _checksum = (_checksum ^ b) * 1099511628211UL;
        return index;
    }

    public byte[] TakeSnapshot()
    {
        var bytes = new byte[16];
        BinaryPrimitives.WriteInt64LittleEndian(bytes, _count);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), _checksum);
        return bytes;
    }

    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot)
    {
        _count = BinaryPrimitives.ReadInt64LittleEndian(snapshot.Span);
        _checksum = BinaryPrimitives.ReadUInt64LittleEndian(snapshot.Span[8..]);
    }

    public void Handle(object message, IActorRef sender)
    {
        switch (message)
        {
            case Write w:
                _host.Propose(w.Data, result => sender.Tell(new Written((long)result!)), f => sender.Tell(new WriteFailed(f.Status, f.LeaderHint)));
                break;
            case Peek:
                sender.Tell(new ReadResult(_count, _checksum));
                break;
            case Read:
                _host.ReadIndex(() => sender.Tell(new ReadResult(_count, _checksum)), f => sender.Tell(new WriteFailed(f.Status, f.LeaderHint)));
                break;
        }
    }

    public void OnRoleChanged(RaftRole role, long term, string? leader) { }
    public void OnTick() { }
}

/// <summary>Checks on a group of <see cref="CounterApplication"/> replicas shared by the actor-level tests.</summary>
internal static class CounterGroup
{
    /// <summary>Reads the leader's state (linearizably), then waits until every node's replica holds exactly it.</summary>
    public static async Task<CounterApplication.ReadResult> AwaitConvergedOnLeaderAsync(
        Kahuna.Node.Bench.LocalRaftCluster cluster, string group, IEnumerable<string> nodes, TimeSpan within)
    {
        var leader = await cluster.AwaitLeaderAsync(group);
        var final = await (await cluster.ReplicaAsync(leader, group)).Ask<CounterApplication.ReadResult>(new CounterApplication.Read(), TimeSpan.FromSeconds(10));
        foreach (var node in nodes)
            await Kahuna.Tests.Support.Eventually.Value(async () =>
            {
                var r = await (await cluster.ReplicaAsync(node, group)).Ask<CounterApplication.ReadResult>(new CounterApplication.Peek(), TimeSpan.FromSeconds(5));
                return r.Count == final.Count && r.Checksum == final.Checksum ? r : null;
            }, within, $"{node} converging on {final.Count} writes");
        return final;
    }
}
