namespace Kahuna.Node.StateMachines.Sessions;

/// <summary>Bounds of the client-session table. Must be the same on every replica of a partition.</summary>
/// <remarks>
/// Worst-case memory is about <see cref="MaxSessions"/> × <see cref="MaxResultsPerSession"/> small result records
/// (≈ 10k × 128 × ~100 B ≈ 130 MB) plus as many × <see cref="MaxEvictedPerSession"/> kept numbers (~40 B each); typical
/// use is far below (a client's floor keeps its window to its writes in flight, and drops kept numbers below it).
/// </remarks>
public sealed record ClientSessionOptions
{
    /// <summary>A session idle this long (by command timestamps) is dropped with its remembered results.</summary>
    public long RetentionMs { get; init; } = 10 * 60 * 1000;

    /// <summary>Most sessions kept; beyond it the least recently active one is dropped.</summary>
    public int MaxSessions { get; init; } = 10_000;

    /// <summary>Most results remembered per session; beyond it the lowest one's result is dropped (its number is kept).</summary>
    public int MaxResultsPerSession { get; init; } = 128;

    /// <summary>Most numbers of applied writes kept after their results were dropped; beyond it the floor is raised past the lowest.</summary>
    public int MaxEvictedPerSession { get; init; } = 4096;

    internal void Validate()
    {
        if (RetentionMs < 0 || MaxSessions < 1 || MaxResultsPerSession < 1 || MaxEvictedPerSession < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ClientSessionOptions), this, "retention not negative, caps at least 1");
        }
    }
}
