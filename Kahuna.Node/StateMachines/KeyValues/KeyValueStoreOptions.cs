namespace Kahuna.Node.StateMachines.KeyValues;

/// <summary>
/// How much history a <see cref="KeyValueStore"/> keeps. Must be the same on every replica of a partition
/// (it decides when history is dropped, which is part of the replicated state).
/// </summary>
public sealed record KeyValueStoreOptions
{
    /// <summary>Versions kept per key, the current one included (so 4 = the current value and 3 older ones). At least 1.</summary>
    public int RevisionsPerKey { get; init; } = 4;

    /// <summary>An older version is dropped once it has been superseded this long; a tombstone once it is this old.</summary>
    public long HistoryRetentionMs { get; init; } = 5 * 60 * 1000;

    internal void Validate()
    {
        if (RevisionsPerKey < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(RevisionsPerKey), RevisionsPerKey, "at least 1");
        }

        if (HistoryRetentionMs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(HistoryRetentionMs), HistoryRetentionMs, "not negative");
        }
    }
}
