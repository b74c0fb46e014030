namespace Kahuna.Raft.Actors;

/// <summary>
/// Lets at most a few replicas of one node take a checkpoint at the same time (kahuna.raft.max-concurrent-checkpoints).
/// The partitions of a node under an even load come due together, and each checkpoint holds its state serialized twice
/// (the state machine's bytes, then the snapshot record that carries them): eight partitions checkpointing at once
/// would hold sixteen copies, the largest transient in a node's memory while it loads. A replica that finds the gate
/// full tries again at its next Ready or tick. Installing a leader's snapshot never waits here: it is already in memory.
/// Shared by the replica actors of a node, hence the lock.
/// </summary>
public sealed class CheckpointGate(int capacity)
{
    private readonly HashSet<string> _holders = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="holder"/> may checkpoint now (also when it holds the gate already).</summary>
    public bool TryEnter(string holder)
    {
        lock (_holders)
        {
            if (_holders.Contains(holder)) return true;
            if (_holders.Count >= capacity) return false;
            _holders.Add(holder);
            return true;
        }
    }

    /// <summary>Gives the place back; harmless when <paramref name="holder"/> holds none.</summary>
    public void Exit(string holder)
    {
        lock (_holders) _holders.Remove(holder);
    }

    /// <summary>Replicas holding a place now (for tests).</summary>
    public int Holders
    {
        get
        {
            lock (_holders) return _holders.Count;
        }
    }
}
