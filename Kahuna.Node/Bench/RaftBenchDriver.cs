using System.Diagnostics;
using Akka.Actor;
using HdrHistogram;

namespace Kahuna.Node.Bench;

/// <summary>
/// Closed-loop load for `kahuna bench raft`, running in the leader's own ActorSystem: every group keeps a fixed
/// number of proposals in flight, and each answer sends the next. Latency is proposal to "applied on the leader".
/// </summary>
public sealed class RaftBenchDriver : ReceiveActor, IWithTimers
{
    public sealed record Target(int Group, IActorRef Replica);
    public sealed record Begin(bool Measure);
    public sealed record Finish;
    public sealed record Results(HistogramBase Latency, long Committed, long Failed);

    private readonly Dictionary<int, IActorRef> _targets;
    private readonly int _inFlightPerGroup;
    private readonly byte[] _payload;
    private readonly LongHistogram _latency = new(60_000_000, 3);
    private bool _measuring;
    private bool _stopped;
    private long _committed;
    private long _failed;
    private long _retries;

    public ITimerScheduler Timers { get; set; } = null!;

    public RaftBenchDriver(IReadOnlyList<Target> targets, int inFlightPerGroup, byte[] payload)
    {
        _targets = targets.ToDictionary(t => t.Group, t => t.Replica);
        _inFlightPerGroup = inFlightPerGroup;
        _payload = payload;
        Receive<Begin>(b =>
        {
            if (!b.Measure)
            {
                foreach (var group in _targets.Keys)
                    for (var i = 0; i < _inFlightPerGroup; i++) Send(group);
                return;
            }
            _measuring = true;
            _latency.Reset();
            _committed = _failed = 0;
        });
        Receive<BenchApplication.Proposed>(p =>
        {
            if (_measuring)
            {
                _committed++;
                _latency.RecordValue(Math.Max(1, (Stopwatch.GetTimestamp() - p.SentAt) * 1_000_000 / Stopwatch.Frequency));
            }
            Send(p.Group);
        });
        Receive<BenchApplication.ProposeFailed>(f =>
        {
            if (_measuring) _failed++;
            // Leadership moved or the leader is overloaded: try again shortly rather than spinning.
            Timers.StartSingleTimer(++_retries, new Retry(f.Group), TimeSpan.FromMilliseconds(10));
        });
        Receive<Retry>(r => Send(r.Group));
        Receive<Finish>(_ =>
        {
            _measuring = false;
            _stopped = true;
            Sender.Tell(new Results(_latency.Copy(), _committed, _failed));
        });
    }

    private sealed record Retry(int Group);

    private void Send(int group)
    {
        if (_stopped) return;
        _targets[group].Tell(new BenchApplication.Propose(group, Stopwatch.GetTimestamp(), _payload), Self);
    }

    public static Props Props(IReadOnlyList<Target> targets, int inFlightPerGroup, byte[] payload) =>
        Akka.Actor.Props.Create(() => new RaftBenchDriver(targets, inFlightPerGroup, payload));
}
