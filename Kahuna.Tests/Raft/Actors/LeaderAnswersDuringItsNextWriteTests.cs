using System.Text;
using System.Threading.Channels;
using Akka.Actor;
using Akka.Configuration;
using Kahuna.Raft;
using Kahuna.Raft.Actors;
using Kahuna.Raft.Core;
using Kahuna.Tests.Raft.Core.Harness;
using Kahuna.Tests.Support;
using Xunit;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;
using static Kahuna.Tests.Raft.Actors.CounterApplication;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// A busy leader answers a write as soon as it is committed and on its own disk, and a read as soon as a quorum
/// confirmed it, even while its write of later entries is still on the way (before: both waited for that write too,
/// one more fsync per answer). One replica actor leads; its two followers are pure cores driven by the test, so the
/// order in which the leader gets acknowledgements and new requests is exact, and its journal holds each write until
/// the test releases it.
/// </summary>
public sealed class LeaderAnswersDuringItsNextWriteTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task ACommittedWrite_IsAnsweredWhileTheLeadersNextWriteIsStillHeld()
    {
        await using var rig = await Rig.StartAsync();
        var x = rig.Write("x");
        await Eventually.True(() => rig.Gate.Held == 1, Deadline, "the leader's write of x held");
        // Both followers persisted x and their acknowledgements are in the leader's mailbox, ahead of y.
        await Eventually.True(() => rig.Followers.AcknowledgedAll(rig.LastIndex + 1), Deadline, "both followers acknowledging x");
        var y = rig.Write("y");

        // x's write ends: the next Ready commits x and writes y. x is answered while y's write is still held.
        rig.Gate.ReleaseOne();
        Assert.Equal(rig.LastIndex + 1, Assert.IsType<Written>(await x.WaitAsync(Deadline)).Index);
        await Eventually.True(() => rig.Gate.Held == 1, Deadline, "the leader's write of y held");
        Assert.False(y.IsCompleted, "y was answered before its write was released");

        rig.Gate.Open();
        Assert.Equal(rig.LastIndex + 2, Assert.IsType<Written>(await y.WaitAsync(Deadline)).Index);
    }

    [Fact]
    public async Task AConfirmedRead_IsAnsweredWhileTheLeadersNextWriteIsStillHeld()
    {
        await using var rig = await Rig.StartAsync();
        // The read's confirmation round and x's appends reach the followers only after x's write is under way.
        rig.Followers.Pause();
        var read = rig.Leader.Ask<object>(new Read(), Deadline);
        var x = rig.Write("x");
        await Eventually.True(() => rig.Gate.Held == 1, Deadline, "the leader's write of x held");
        rig.Followers.Resume();
        await Eventually.True(() => rig.Followers.AcknowledgedAll(rig.LastIndex + 1), Deadline, "both followers acknowledging x");
        var y = rig.Write("y");

        // x's write ends: the next Ready confirms the read, commits x and writes y; the read does not wait for y.
        rig.Gate.ReleaseOne();
        Assert.IsType<ReadResult>(await read.WaitAsync(Deadline));
        Assert.IsType<Written>(await x.WaitAsync(Deadline));
        await Eventually.True(() => rig.Gate.Held == 1, Deadline, "the leader's write of y held");
        Assert.False(y.IsCompleted, "y was answered before its write was released");
        rig.Gate.Open();
        Assert.IsType<Written>(await y.WaitAsync(Deadline));
    }

    /// <summary>An ActorSystem with one replica actor (n1) whose journal the test holds, and two test-driven followers.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private static readonly Config SystemConfig = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.stdout-loglevel = WARNING
            akka.persistence.journal.plugin = "kahuna-test.gated-journal"
            kahuna-test.gated-journal {
              class = "Kahuna.Tests.Raft.Actors.GatedMemoryJournal, Kahuna.Tests"
              plugin-dispatcher = "akka.actor.default-dispatcher"
            }
            akka.persistence.snapshot-store.plugin = "akka.persistence.snapshot-store.inmem"
            # n1 must lead throughout, however slow the machine: it never steps down for want of answers (the followers
            # answer only what reaches them, and a held write holds its ticks back too).
            kahuna.raft {
              tick-interval = 20ms
              check-quorum = off
            }
            """).WithFallback(RaftSettings.DefaultConfig());

        private readonly ActorSystem _system = ActorSystem.Create("gated", SystemConfig);
        private readonly CancellationTokenSource _stop = new();
        private Task _pump = Task.CompletedTask;

        public TestFollowers Followers { get; } = new("g1", ["n2", "n3"]);
        public JournalGate Gate => JournalGate.For(_system);
        public IActorRef Leader { get; private set; } = ActorRefs.Nobody;
        /// <summary>The leader's last index once it is idle, before the test's requests.</summary>
        public long LastIndex { get; private set; }

        /// <summary>Starts n1, which campaigns on its own (nobody else ever does), writes one entry, then closes the gate.</summary>
        public static async Task<Rig> StartAsync()
        {
            var rig = new Rig();
            try
            {
                var settings = new RaftReplicaSettings("g1", "n1", RaftConfiguration.Of(["n1", "n2", "n3"]), RaftSettings.Create(rig._system));
                rig.Leader = rig._system.ActorOf(RaftReplicaProtocol.Props(settings, () => new CounterApplication(), rig.Followers), "g1");
                rig.Followers.Leader = rig.Leader;
                rig._pump = Task.Run(() => rig.Followers.PumpAsync(rig._stop.Token));
                await Eventually.Value(async () =>
                    (await rig.Leader.Ask<ReplicaStatus>(GetStatus.Instance, Deadline)).Raft.Role == RaftRole.Leader ? "" : null,
                    Deadline, "n1 leading");
                // Until its term's first entry commits, a new leader may still refuse a write: try until one lands.
                await Eventually.Value(async () => await rig.Write("first") as Written, Deadline, "a first write through n1");
                rig.LastIndex = (await rig.Leader.Ask<ReplicaStatus>(GetStatus.Instance, Deadline)).Raft.LastIndex;
                rig.Gate.Close();
                return rig;
            }
            catch
            {
                await rig.DisposeAsync();
                throw;
            }
        }

        public Task<object> Write(string data) => Leader.Ask<object>(new Write(Encoding.UTF8.GetBytes(data)), Deadline);

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            Followers.Resume();
            Gate.Open();
            await _pump;
            await _system.Terminate().WaitAsync(Deadline);
            _stop.Dispose();
        }
    }

    /// <summary>
    /// The leader's transport: its messages go to pure follower cores, which persist instantly and answer at once
    /// (unless paused). Remembers the highest index each follower acknowledged, after the answer reached the leader.
    /// </summary>
    private sealed class TestFollowers(string groupId, IReadOnlyList<string> ids) : IRaftTransport
    {
        private readonly Channel<RaftMessage> _toFollowers = Channel.CreateUnbounded<RaftMessage>();
        private readonly Dictionary<string, RaftNode> _cores = ids.ToDictionary(id => id, id => new RaftNode(
            // Never ticked: they never campaign, and (without check-quorum) they always answer n1's (pre-)votes.
            TestNetwork.Options(id) with { PreVote = true, CheckQuorum = false },
            RaftStorageState.Bootstrap(RaftConfiguration.Of(["n1", .. ids]))));
        private readonly Dictionary<string, long> _acknowledged = ids.ToDictionary(id => id, _ => 0L);
        private volatile TaskCompletionSource _flowing = Flowing();

        private static TaskCompletionSource Flowing()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }

        public IActorRef Leader { get; set; } = ActorRefs.Nobody;

        public void Send(string replicaId, string group, object message, IActorRef sender) =>
            _toFollowers.Writer.TryWrite(((RaftEnvelope)message).Message);

        /// <summary>Messages wait (in order) until <see cref="Resume"/>.</summary>
        public void Pause() => _flowing = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Resume() => _flowing.TrySetResult();

        public bool AcknowledgedAll(long index)
        {
            lock (_acknowledged) return _acknowledged.Values.All(a => a >= index);
        }

        public async Task PumpAsync(CancellationToken stop)
        {
            try
            {
                await foreach (var m in _toFollowers.Reader.ReadAllAsync(stop))
                {
                    await _flowing.Task.WaitAsync(stop);
                    var core = _cores[m.To];
                    core.Step(m);
                    while (core.HasReady())
                    {
                        var rd = core.GetReady();
                        core.Advance(rd);
                        foreach (var answer in rd.Messages)
                        {
                            Leader.Tell(new RaftEnvelope(groupId, answer));
                            if (answer is AppendResponse { Success: true } ack)
                                lock (_acknowledged) _acknowledged[ack.From] = Math.Max(_acknowledged[ack.From], ack.Index);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
                // The test is over.
            }
        }
    }
}
