using Akka.Actor;
using Kahuna.Node.Bench;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;
using Kahuna.Raft.StateMachine;
using Kahuna.Tests.Support;
using Xunit;
using static Kahuna.Tests.Raft.Actors.CounterApplication;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// A replica whose application cannot apply a committed entry (a command of a newer version) stops at it: no quick
/// restarts that would replay the journal into the same entry again and again, only a new start after the configured
/// delay, which stops at the same entry until the application can apply it.
/// </summary>
[Collection("cluster")]
public sealed class ReplicaHaltTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AReplicaThatCannotApplyAnEntry_StopsAtIt_WithoutRestartingAtOnce()
    {
        var starts = 0;
        await using var cluster = await LocalRaftCluster.StartAsync(1, _ => new PoisonedApplication(ref starts), "halted-restart-delay = 1h");
        await cluster.StartGroupAsync("solo", ["n1"]);
        await cluster.AwaitLeaderAsync("solo", Long);
        var replica = await cluster.ReplicaAsync("n1", "solo");
        Assert.IsType<Written>(await replica.Ask<object>(new Write("fine"u8.ToArray()), TimeSpan.FromSeconds(10)));

        replica.Tell(new Write(PoisonedApplication.Poison)); // never answered: the replica stops at it
        await Eventually.True(() => IsGone(cluster, "solo"), Long, "the replica stopped at the entry it cannot apply");

        Assert.Equal(1, Volatile.Read(ref starts)); // a restart would have started the application again
    }

    [Fact]
    public async Task AfterTheDelay_TheReplicaStartsAgainFromDisk_AndStopsAtTheSameEntry()
    {
        var starts = 0;
        await using var cluster = await LocalRaftCluster.StartAsync(1, _ => new PoisonedApplication(ref starts), "halted-restart-delay = 300ms");
        await cluster.StartGroupAsync("solo", ["n1"]);
        await cluster.AwaitLeaderAsync("solo", Long);
        var replica = await cluster.ReplicaAsync("n1", "solo");

        replica.Tell(new Write(PoisonedApplication.Poison));

        await Eventually.True(() => Volatile.Read(ref starts) >= 3, Long, "the replica was started again twice after stopping");
        await Eventually.True(() => IsGone(cluster, "solo"), Long, "the restarted replica stopped at the entry again");
    }

    private static bool IsGone(LocalRaftCluster cluster, string group)
    {
        var provider = ((ExtendedActorSystem)cluster.System("n1")).Provider;
        return provider.ResolveActorRef(new RootActorPath(provider.DefaultAddress) / "user" / RaftHostProtocol.Name / group) is EmptyLocalActorRef;
    }

    /// <summary>A <see cref="CounterApplication"/> that cannot apply one command, and counts how often it is started.</summary>
    private sealed class PoisonedApplication : IReplicaApplication
    {
        public static readonly byte[] Poison = "poison"u8.ToArray();
        private readonly CounterApplication _inner = new();

        public PoisonedApplication(ref int starts) => Interlocked.Increment(ref starts);

        public object? Apply(long index, ReadOnlyMemory<byte> command) =>
            command.Span.SequenceEqual(Poison) ? throw new CannotApply(index) : _inner.Apply(index, command);

        public void Attach(IReplicaHost host) => _inner.Attach(host);
        public byte[] TakeSnapshot() => _inner.TakeSnapshot();
        public void RestoreSnapshot(ReadOnlyMemory<byte> snapshot) => _inner.RestoreSnapshot(snapshot);
        public void Handle(object message, IActorRef sender) => _inner.Handle(message, sender);
        public void OnRoleChanged(RaftRole role, long term, string? leader) => _inner.OnRoleChanged(role, term, leader);
        public void OnTick() => _inner.OnTick();
    }

    private sealed class CannotApply(long index) : ReplicaCannotApplyException("a command of a newer version")
    {
        public override long Index => index;
    }
}
