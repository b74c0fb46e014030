using System.Runtime.CompilerServices;
using System.Collections.Immutable;
using Akka.Actor;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>
/// Akka's in-memory journal whose writes a test can hold: while the node's <see cref="JournalGate"/> is closed, each
/// write is stored but not acknowledged until the test releases it, as if its fsync were still running.
/// </summary>
public sealed class GatedMemoryJournal : MemoryJournal
{
    private readonly JournalGate _gate = JournalGate.For(Context.System);

    protected override async Task<IImmutableList<Exception>> WriteMessagesAsync(IEnumerable<AtomicWrite> messages,
        CancellationToken cancellationToken)
    {
        // Stored at once, on the journal's own thread; only the acknowledgement waits.
        var stored = base.WriteMessagesAsync(messages, cancellationToken);
        await _gate.PassAsync();
        return await stored;
    }
}

/// <summary>Holds a node's journal writes (see <see cref="GatedMemoryJournal"/>), one gate per ActorSystem.</summary>
public sealed class JournalGate
{
    private static readonly ConditionalWeakTable<ActorSystem, JournalGate> Gates = new();
    private readonly object _lock = new();
    private readonly Queue<TaskCompletionSource> _held = new();
    private bool _closed;

    public static JournalGate For(ActorSystem system) => Gates.GetValue(system, _ => new JournalGate());

    /// <summary>Writes waiting for a release.</summary>
    public int Held
    {
        get { lock (_lock) return _held.Count; }
    }

    /// <summary>From now on, every write waits for <see cref="ReleaseOne"/> or <see cref="Open"/>.</summary>
    public void Close()
    {
        lock (_lock) _closed = true;
    }

    /// <summary>Acknowledges the oldest held write.</summary>
    public void ReleaseOne()
    {
        TaskCompletionSource next;
        lock (_lock)
        {
            if (_held.Count == 0) throw new InvalidOperationException("no write is held");
            next = _held.Dequeue();
        }
        next.SetResult();
    }

    /// <summary>Acknowledges every held write and stops holding.</summary>
    public void Open()
    {
        List<TaskCompletionSource> all;
        lock (_lock)
        {
            _closed = false;
            all = _held.ToList();
            _held.Clear();
        }
        foreach (var held in all) held.SetResult();
    }

    internal Task PassAsync()
    {
        lock (_lock)
        {
            if (!_closed) return Task.CompletedTask;
            var wait = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held.Enqueue(wait);
            return wait.Task;
        }
    }
}
