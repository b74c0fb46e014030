namespace Kahuna.Raft.Core;

/// <summary>How the leader is currently replicating to one follower (etcd's progress states).</summary>
public enum ProgressState : byte
{
    /// <summary>Unsure where the follower's log matches: one append at a time until it answers.</summary>
    Probe = 0,
    /// <summary>Logs agree: stream appends optimistically, up to the inflight window.</summary>
    Replicate = 1,
    /// <summary>The entries it needs were compacted: a snapshot is on its way; send nothing else meanwhile.</summary>
    Snapshot = 2,
}

/// <summary>The leader's view of one replica of its group.</summary>
internal sealed class Progress
{
    public Progress(long next, int maxInflight, bool isLearner)
    {
        Next = next;
        Inflights = new Inflights(maxInflight);
        IsLearner = isLearner;
    }

    /// <summary>Highest index known to be replicated (and persisted) on the replica.</summary>
    public long Match { get; set; }
    /// <summary>Index of the next entry to send.</summary>
    public long Next { get; set; }
    public ProgressState State { get; private set; } = ProgressState.Probe;
    /// <summary>In the Snapshot state: the index of the snapshot being sent.</summary>
    public long PendingSnapshot { get; private set; }
    /// <summary>Heard from since the last check-quorum round.</summary>
    public bool RecentActive { get; set; }
    /// <summary>In the Probe state: an append is out and we wait for its answer (or a heartbeat answer).</summary>
    public bool ProbeSent { get; set; }
    public Inflights Inflights { get; }
    public bool IsLearner { get; set; }
    /// <summary>Highest read context this replica acknowledged (ReadIndex confirmation).</summary>
    public long ReadAck { get; set; }

    public void BecomeProbe()
    {
        // After a snapshot, resume from just after it; otherwise from just after what we know matches.
        var next = State == ProgressState.Snapshot ? Math.Max(Match + 1, PendingSnapshot + 1) : Match + 1;
        Reset(ProgressState.Probe);
        Next = next;
    }

    /// <summary>
    /// The replica no longer holds what <see cref="Match"/> says (its storage lost a tail it had acknowledged):
    /// the only time Match goes down. Probing resumes just after the index the replica says it still agrees on.
    /// </summary>
    public void RewindTo(long match)
    {
        Reset(ProgressState.Probe);
        Match = match;
        Next = match + 1;
    }

    /// <summary>The snapshot did not arrive: forget it so probing restarts from what we know matches.</summary>
    public void SnapshotFailed() => PendingSnapshot = 0;

    public void BecomeReplicate()
    {
        Reset(ProgressState.Replicate);
        Next = Match + 1;
    }

    public void BecomeSnapshot(long snapshotIndex)
    {
        Reset(ProgressState.Snapshot);
        PendingSnapshot = snapshotIndex;
    }

    private void Reset(ProgressState state)
    {
        State = state;
        ProbeSent = false;
        PendingSnapshot = 0;
        Inflights.Reset();
    }

    /// <summary>Records a successful append up to index; false when the answer is stale.</summary>
    public bool MaybeUpdate(long index)
    {
        var updated = false;
        if (Match < index)
        {
            Match = index;
            updated = true;
            ProbeSent = false;
        }
        Next = Math.Max(Next, index + 1);
        return updated;
    }

    /// <summary>Called after sending an append whose last entry is lastIndex (or none).</summary>
    public void SentEntries(int count, long lastIndex)
    {
        switch (State)
        {
            case ProgressState.Replicate:
                if (count > 0)
                {
                    Next = lastIndex + 1;
                    Inflights.Add(lastIndex);
                }
                break;
            case ProgressState.Probe:
                ProbeSent = true;
                break;
        }
    }

    /// <summary>
    /// Handles a rejected append for PrevLogIndex = rejected, with the follower's hint of where its log may
    /// match. Returns false when the rejection is stale (it answers an append we have already moved past).
    /// </summary>
    public bool MaybeDecreaseTo(long rejected, long matchHint)
    {
        if (State == ProgressState.Replicate)
        {
            if (rejected <= Match) return false;
            Next = Match + 1;
            return true;
        }
        if (Next - 1 != rejected) return false;
        Next = Math.Max(Math.Min(rejected, matchHint + 1), Match + 1);
        ProbeSent = false;
        return true;
    }

    /// <summary>True when nothing more should be sent now (probe outstanding, window full, or snapshot in progress).</summary>
    public bool IsPaused => State switch
    {
        ProgressState.Probe => ProbeSent,
        ProgressState.Replicate => Inflights.Full,
        _ => true,
    };

    public override string ToString() =>
        $"{State} match={Match} next={Next}" + (State == ProgressState.Snapshot ? $" snap={PendingSnapshot}" : "") +
        (IsLearner ? " learner" : "") + (IsPaused ? " paused" : "") + $" inflight={Inflights.Count}";
}

/// <summary>A bounded window of appends sent but not yet acknowledged, identified by their last index.</summary>
internal sealed class Inflights(int capacity)
{
    private readonly Queue<long> _lastIndexes = new();

    public int Count => _lastIndexes.Count;
    public bool Full => _lastIndexes.Count >= capacity;

    public void Add(long lastIndex) => _lastIndexes.Enqueue(lastIndex);

    /// <summary>Frees every append whose last index is at or below the acknowledged one.</summary>
    public void FreeTo(long index)
    {
        while (_lastIndexes.Count > 0 && _lastIndexes.Peek() <= index) _lastIndexes.Dequeue();
    }

    /// <summary>Frees the oldest append (a heartbeat answer proves the replica is alive, so the window must not stall).</summary>
    public void FreeFirst()
    {
        if (_lastIndexes.Count > 0) _lastIndexes.Dequeue();
    }

    public void Reset() => _lastIndexes.Clear();
}
