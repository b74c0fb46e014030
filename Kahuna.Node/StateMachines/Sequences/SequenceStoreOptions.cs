namespace Kahuna.Node.StateMachines.Sequences;

/// <summary>Bounds of a <see cref="SequenceStore"/>. Must be the same on every replica of a partition.</summary>
public sealed record SequenceStoreOptions
{
    /// <summary>How long (by command timestamps) an idempotency key keeps answering with its original range.</summary>
    public long IdempotencyRetentionMs { get; init; } = 10 * 60 * 1000;

    /// <summary>Most idempotency records kept per partition; beyond it the oldest is forgotten first.</summary>
    public int MaxIdempotencyRecords { get; init; } = 100_000;

    /// <summary>Largest count one Next or block reservation may take.</summary>
    public long MaxCount { get; init; } = 1_000_000_000;

    internal void Validate()
    {
        if (IdempotencyRetentionMs < 0 || MaxIdempotencyRecords < 0 || MaxCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SequenceStoreOptions), this, "retention and cap not negative, MaxCount ≥ 1");
        }
    }
}
