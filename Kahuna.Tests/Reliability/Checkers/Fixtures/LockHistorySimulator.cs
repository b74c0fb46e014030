using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers.Fixtures;

/// <summary>
/// A seeded discrete-event simulation of clients using one lease lock on a single server, recorded through a
/// <see cref="HistoryRecorder"/> on the simulated clock. Requests and answers take random time; some are slow enough
/// that the client gives up (info) while the server still acts on them later. Each acquire/release cycle uses a fresh
/// owner; a timed-out acquire is retried once with the same owner, a timed-out release until it gets an answer.
/// The server is correct unless a <see cref="ServerBug"/> is switched on.
/// </summary>
public sealed class LockHistorySimulator
{
    public enum ServerBug
    {
        None,

        /// <summary>Now and then grants the lock although someone else holds an unexpired lease.</summary>
        IgnoresHolder,

        /// <summary>Now and then gives a new grant the previous grant's token instead of a new one.</summary>
        ReusesToken,
    }

    private const double ClientTimeout = 0.2;
    private const string Resource = "lock";

    private readonly Random _random;
    private readonly ServerBug _bug;
    private readonly PriorityQueue<Action, (double Time, long Seq)> _events = new();
    private readonly HistoryRecorder _recorder;
    private long _seq;
    private double _now;

    // Server state.
    private string? _holder;
    private double _expiry;
    private long _token;

    private LockHistorySimulator(int seed, ServerBug bug)
    {
        _random = new Random(seed);
        _bug = bug;
        _recorder = new HistoryRecorder(() => _now);
    }

    public static IReadOnlyList<HistoryOperation> Run(int seed, int processes, int cyclesPerProcess, ServerBug bug = ServerBug.None)
    {
        var sim = new LockHistorySimulator(seed, bug);
        for (int p = 0; p < processes; p++)
        {
            int process = p;
            sim.At(sim._random.NextDouble() * 0.1, () => sim.StartCycle(process, cyclesPerProcess, 0));
        }
        while (sim._events.TryDequeue(out var action, out var when))
        {
            sim._now = when.Time;
            action();
        }
        return sim._recorder.Snapshot();
    }

    private void At(double time, Action action) => _events.Enqueue(action, (time, _seq++));

    private double NetworkDelay() => _random.NextDouble() < 0.05 ? 0.15 + _random.NextDouble() * 0.5 : 0.001 + _random.NextDouble() * 0.03;

    private void StartCycle(int process, int cyclesLeft, int cycle)
    {
        if (cyclesLeft == 0) return;
        string owner = $"p{process}-c{cycle}";
        long leaseMs = _random.Next(2) == 0 ? 300 : 1000;
        void Next() => At(_now + 0.01 + _random.NextDouble() * 0.5, () => StartCycle(process, cyclesLeft - 1, cycle + 1));
        Acquire(process, owner, leaseMs, retryOnTimeout: true, onGranted: () => Hold(process, owner, leaseMs, Next), onOther: Next);
    }

    private void Acquire(int process, string owner, long leaseMs, bool retryOnTimeout, Action onGranted, Action onOther)
    {
        var pending = _recorder.Invoke(HistoryOperation.Acquire(process, Resource, owner, leaseMs));
        Request(
            serve: () => ServeAcquire(owner, leaseMs),
            onAnswer: token =>
            {
                if (token is { } t)
                {
                    pending.Ok(op => op with { Token = t });
                    onGranted();
                }
                else
                {
                    pending.Fail("Busy");
                    onOther();
                }
            },
            onTimeout: () =>
            {
                pending.Info("timeout");
                if (retryOnTimeout) Acquire(process, owner, leaseMs, retryOnTimeout: false, onGranted, onOther);
                else onOther();
            });
    }

    /// <summary>Holds for part of the lease, or now and then past its end (the release then fails).</summary>
    private void Hold(int process, string owner, long leaseMs, Action then) =>
        At(_now + _random.NextDouble() * leaseMs / 1000.0 * (_random.NextDouble() < 0.15 ? 1.5 : 0.5), () => Release(process, owner, attemptsLeft: 4, then));

    private void Release(int process, string owner, int attemptsLeft, Action then)
    {
        var pending = _recorder.Invoke(HistoryOperation.Release(process, Resource, owner));
        Request(
            serve: () => ServeRelease(owner) ? 1 : null,
            onAnswer: released =>
            {
                if (released is not null) pending.Ok(); else pending.Fail("InvalidOwner");
                then();
            },
            onTimeout: () =>
            {
                pending.Info("timeout");
                if (attemptsLeft > 1) Release(process, owner, attemptsLeft - 1, then); else then();
            });
    }

    /// <summary>Sends a request: the server serves it after a delay, the answer travels back after another, unless the client gave up first.</summary>
    private void Request(Func<long?> serve, Action<long?> onAnswer, Action onTimeout)
    {
        double sent = _now;
        bool settled = false;
        At(sent + NetworkDelay(), () =>
        {
            long? answer = serve();
            At(_now + NetworkDelay(), () =>
            {
                if (settled || _now - sent > ClientTimeout) return;
                settled = true;
                onAnswer(answer);
            });
        });
        At(sent + ClientTimeout, () =>
        {
            if (settled) return;
            settled = true;
            onTimeout();
        });
    }

    private long? ServeAcquire(string owner, long leaseMs)
    {
        bool live = _holder is not null && _now < _expiry;
        if (live && _holder == owner) return _token; // re-acquire: same grant, same token, lease unchanged
        if (live && !(_bug == ServerBug.IgnoresHolder && _random.NextDouble() < 0.1)) return null;
        if (!(_bug == ServerBug.ReusesToken && _token > 0 && _random.NextDouble() < 0.15)) _token++;
        (_holder, _expiry) = (owner, _now + leaseMs / 1000.0);
        return _token;
    }

    private bool ServeRelease(string owner)
    {
        if (_holder != owner || _now >= _expiry) return false;
        _holder = null;
        return true;
    }
}
