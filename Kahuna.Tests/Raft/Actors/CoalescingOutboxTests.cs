using Akka.Actor;
using Kahuna.Raft.Actors;
using Xunit;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// The outbox sends everything that gathered before its flush as one batch, cut by count and by size, and schedules
/// one flush per burst. Flushes run by hand here, so what a batch holds does not depend on the thread pool.
/// </summary>
public sealed class CoalescingOutboxTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("coalescing-outbox-tests");
    private readonly Queue<Action> _flushes = new();
    private readonly Recorder _target;

    public CoalescingOutboxTests() => _target = Recorder.Register(_system);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void MessagesQueuedBeforeTheFlush_GoAsOneBatch_AndOneFlushIsScheduledPerBurst()
    {
        var outbox = Outbox();
        for (var i = 0; i < 10; i++) outbox.Enqueue(i);
        Assert.Single(_flushes);

        RunFlushes();
        Assert.Equal([Enumerable.Range(0, 10).ToArray()], _target.Batches);

        outbox.Enqueue(10);
        Assert.Single(_flushes);
        RunFlushes();
        Assert.Equal([10], _target.Batches[1]);
    }

    [Fact]
    public void ABatchIsCutAtTheMessageLimit_InOrder()
    {
        var outbox = Outbox(maxMessages: 4);
        for (var i = 0; i < 10; i++) outbox.Enqueue(i);
        RunFlushes();
        Assert.Equal([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]], _target.Batches);
    }

    [Fact]
    public void ABatchIsCutAtTheByteLimit_AndAMessageLargerThanTheLimitGoesAlone()
    {
        // The message's value is its estimated size here.
        var outbox = Outbox(maxBytes: 100);
        foreach (var size in new[] { 40, 40, 40, 250, 10, 10 }) outbox.Enqueue(size);
        RunFlushes();
        Assert.Equal([[40, 40], [40], [250], [10, 10]], _target.Batches);
    }

    private CoalescingOutbox<int> Outbox(int maxBytes = 1 << 20, int maxMessages = 512) =>
        new(_target, static m => m, static batch => batch.ToArray(), maxBytes, maxMessages, _flushes.Enqueue);

    private void RunFlushes()
    {
        while (_flushes.TryDequeue(out var flush)) flush();
    }

    /// <summary>Records what it is told, on the caller's thread.</summary>
    private sealed class Recorder(IActorRefProvider provider, ActorPath path) : MinimalActorRef
    {
        public List<int[]> Batches { get; } = new();
        public override ActorPath Path { get; } = path;
        public override IActorRefProvider Provider { get; } = provider;

        public static Recorder Register(ActorSystem system)
        {
            var provider = ((ExtendedActorSystem)system).Provider;
            var recorder = new Recorder(provider, provider.TempPath());
            provider.RegisterTempActor(recorder, recorder.Path);
            return recorder;
        }

        protected override void TellInternal(object message, IActorRef sender) => Batches.Add((int[])message);
    }
}
