using Akka.Actor;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;

namespace Kahuna.Node.Bench;

/// <summary>The replicated application of `kahuna bench raft`: applying an entry only counts it, so the Raft path is measured.</summary>
public sealed class BenchApplication : IReplicaApplication
{
    public sealed record Propose(int Group, long SentAt, byte[] Payload);
    public sealed record Proposed(int Group, long SentAt);
    public sealed record ProposeFailed(int Group, long SentAt, string? LeaderHint);

    private IReplicaHost _host = null!;
    private long _applied;

    public void Attach(IReplicaHost host) => _host = host;

    public object? Apply(long index, ReadOnlyMemory<byte> command)
    {
        _applied++;
        return null;
    }

    public byte[] TakeSnapshot() => BitConverter.GetBytes(_applied);

    public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot) => _applied = BitConverter.ToInt64(snapshot.Span);

    public void Handle(object message, IActorRef sender)
    {
        if (message is not Propose p) return;
        _host.Propose(p.Payload,
            _ => sender.Tell(new Proposed(p.Group, p.SentAt)),
            f => sender.Tell(new ProposeFailed(p.Group, p.SentAt, f.LeaderHint)));
    }

    public void OnRoleChanged(RaftRole role, long term, string? leader) { }
    public void OnTick() { }
}
