namespace Kahuna.Node.StateMachines.Sessions;

/// <summary>Bounds of the client-session table. Must be the same on every replica of a partition.</summary>
/// <remarks>
/// Worst-case memory is about <see cref="MaxSessions"/> × <see cref="MaxResultsPerSession"/> small result records
/// (≈ 10k × 128 × ~100 B ≈ 130 MB); typical use is far below (a client's floor keeps its window to its writes in flight).
/// </remarks>
public sealed record ClientSessionOptions
{
    /// <summary>A session idle this long (by command timestamps) is dropped with its remembered results.</summary>
    public long RetentionMs { get; init; } = 10 * 60 * 1000;

    /// <summary>Most sessions kept; beyond it the least recently active one is dropped.</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>Most results remembered per session; beyond it the lowest sequence is forgotten and the floor raised past it.</summary>
    public int MaxResultsPerSession { get; init; } = 128;

    internal void Validate()
    {
        if (RetentionMs < 0 || MaxSessions < 1 || MaxResultsPerSession < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ClientSessionOptions), this, "retention not negative, caps at least 1");
        }
    }
}
