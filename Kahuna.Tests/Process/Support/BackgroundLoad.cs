using System.Diagnostics;
using Kahuna.Protocol.Client;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// Writers that keep the cluster busy while nodes are killed, recording every operation and its outcome in a
/// <see cref="History"/>. Each partition gets a key writer, a lock taker and a sequence taker, so every partition's
/// leader is exercised. Workers share three clients whose endpoint lists start at different nodes, so a killed node
/// is always the one some client is connected to. Operations are paced: the goal is a steady history, not load.
/// </summary>
internal sealed class BackgroundLoad : IAsyncDisposable
{
    /// <summary>Keys per partition writer; a write goes to slot (attempt mod Slots), so most keys are written once.</summary>
    private const int Slots = 512;
    private static readonly TimeSpan Pace = TimeSpan.FromMilliseconds(15);
    private static readonly TimeSpan LockLease = TimeSpan.FromMilliseconds(1500);

    private readonly PartitionKeys _keys;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<KahunaClient> _clients;
    private readonly List<Task> _workers = new();
    private readonly string _runId = Guid.NewGuid().ToString("N")[..6];
    private TaskCompletionSource _running = Open();
    private int _busy;

    private BackgroundLoad(KahunaProcessCluster cluster)
    {
        _keys = cluster.Keys;
        var ids = cluster.NodeIds;
        _clients = Enumerable.Range(0, ids.Count)
            .Select(shift => cluster.CreateClient(ids.Skip(shift).Concat(ids.Take(shift)).ToList()))
            .ToList();
    }

    public History History { get; } = new();

    public static BackgroundLoad Start(KahunaProcessCluster cluster)
    {
        var load = new BackgroundLoad(cluster);
        int worker = 0;
        KahunaClient NextClient() => load._clients[worker++ % load._clients.Count];
        foreach (var partition in load._keys.All)
        {
            var writer = NextClient();
            var locker = NextClient();
            var sequencer = NextClient();
            load._workers.Add(Task.Run(() => load.WriteKeysAsync(partition, writer)));
            load._workers.Add(Task.Run(() => load.TakeLocksAsync(partition, locker)));
            load._workers.Add(Task.Run(() => load.TakeSequencesAsync(partition, sequencer)));
        }
        return load;
    }

    /// <summary>Waits until every partition has answered at least <paramref name="count"/> operations started at or after <paramref name="since"/>.</summary>
    public async Task WaitForAnswersAsync(int count, TimeSpan since, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (_keys.All.Any(p => History.AnsweredSince(p, since) < count))
        {
            if (clock.Elapsed > within)
            {
                var counts = string.Join(", ", _keys.All.Select(p => $"p{p}={History.AnsweredSince(p, since)}"));
                throw new TimeoutException($"the load did not get {count} answers per partition within {within.TotalSeconds:0} s ({counts})");
            }
            ThrowIfAWorkerFailed();
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Holds every worker before its next operation and waits until none is in the middle of one, so the history is
    /// complete while a test reads the cluster back. <see cref="Resume"/> lets them go on.
    /// </summary>
    public async Task PauseAsync(TimeSpan within)
    {
        Volatile.Write(ref _running, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        var clock = Stopwatch.StartNew();
        while (Volatile.Read(ref _busy) > 0)
        {
            if (clock.Elapsed > within)
                throw new TimeoutException($"{_busy} load operations were still running {within.TotalSeconds:0} s after the pause");
            await Task.Delay(20);
        }
    }

    public void Resume() => Volatile.Read(ref _running).TrySetResult();

    private static TaskCompletionSource Open()
    {
        var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        open.SetResult();
        return open;
    }

    /// <summary>
    /// Waits while the load is paused, then marks this worker busy (call <see cref="EndOperation"/> after). Busy is
    /// counted before the gate is checked, so a pause that sees no busy worker cannot miss one about to start.
    /// </summary>
    private async Task<bool> BeginOperationAsync()
    {
        while (true)
        {
            Interlocked.Increment(ref _busy);
            var gate = Volatile.Read(ref _running);
            if (gate.Task.IsCompleted && !_stop.IsCancellationRequested)
                return true;
            Interlocked.Decrement(ref _busy);
            if (_stop.IsCancellationRequested)
                return false;
            try
            {
                await gate.Task.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    private void EndOperation() => Interlocked.Decrement(ref _busy);

    /// <summary>Stops the workers (operations in flight end as indeterminate) and closes the clients.</summary>
    public async Task StopAsync()
    {
        if (!_stop.IsCancellationRequested)
            _stop.Cancel();
        Resume();
        await Task.WhenAll(_workers);
        foreach (var client in _clients)
            await client.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
        }
        finally
        {
            _stop.Dispose();
        }
    }

    private void ThrowIfAWorkerFailed()
    {
        if (_workers.FirstOrDefault(w => w.IsFaulted) is { } failed)
            throw new InvalidOperationException("a load worker failed", failed.Exception!.GetBaseException());
    }

    private async Task WriteKeysAsync(int partition, KahunaClient client)
    {
        for (long attempt = 0; await BeginOperationAsync(); attempt++, EndOperation())
        {
            var key = _keys.Key(partition, $"kv/{attempt % Slots}");
            var value = $"{_runId}:p{partition}:{attempt}";
            var started = History.Now;
            try
            {
                var result = await client.SetAsync(key, value, cancellationToken: _stop.Token);
                History.Add(new KeyWrite(partition, key, value, result.Revision, started, History.Now,
                    result.Succeeded ? Outcome.Acknowledged : Outcome.Refused, null));
            }
            catch (Exception ex) when (ex is KahunaException or OperationCanceledException or ObjectDisposedException)
            {
                History.Add(new KeyWrite(partition, key, value, 0, started, History.Now, Outcome.Indeterminate, ex.Message));
            }
            await WaitPaceAsync();
        }
    }

    private async Task TakeLocksAsync(int partition, KahunaClient client)
    {
        var resource = _keys.Key(partition, "lock");
        for (; await BeginOperationAsync(); EndOperation())
        {
            // A fresh owner each time: a same-owner re-acquire legitimately returns the same token.
            var owner = LockOwner.NewRandom();
            var started = History.Now;
            bool acquired = false;
            try
            {
                var result = await client.TryLockAsync(resource, owner, LockLease, cancellationToken: _stop.Token);
                acquired = result.Acquired;
                History.Add(new LockAttempt(partition, resource, result.FencingToken, started, History.Now,
                    result.Acquired ? Outcome.Acknowledged : Outcome.Refused, null));
            }
            catch (Exception ex) when (ex is KahunaException or OperationCanceledException or ObjectDisposedException)
            {
                History.Add(new LockAttempt(partition, resource, 0, started, History.Now, Outcome.Indeterminate, ex.Message));
            }
            if (acquired)
            {
                try
                {
                    await client.UnlockAsync(resource, owner, cancellationToken: _stop.Token);
                }
                catch (Exception ex) when (ex is KahunaException or OperationCanceledException or ObjectDisposedException)
                {
                    // The lease runs out by itself; the next owner waits for it.
                }
            }
            await WaitPaceAsync();
        }
    }

    private async Task TakeSequencesAsync(int partition, KahunaClient client)
    {
        var name = _keys.Key(partition, "seq");
        for (int attempt = 0; await BeginOperationAsync(); attempt++, EndOperation())
        {
            int count = 1 + attempt % 3;
            var started = History.Now;
            try
            {
                var range = await client.NextSequenceAsync(name, count, cancellationToken: _stop.Token);
                History.Add(new SequenceTake(partition, name, range.Start, range.Count, started, History.Now, Outcome.Acknowledged, null));
            }
            catch (Exception ex) when (ex is KahunaException or OperationCanceledException or ObjectDisposedException)
            {
                History.Add(new SequenceTake(partition, name, 0, count, started, History.Now, Outcome.Indeterminate, ex.Message));
            }
            await WaitPaceAsync();
        }
    }

    private async Task WaitPaceAsync()
    {
        try
        {
            await Task.Delay(Pace, _stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
