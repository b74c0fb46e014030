namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// A committed log entry holds a command type this version of Kahuna does not know: a newer node proposed it (a
/// cluster of mixed versions). Applying anything else in its place would make this replica's state differ from the
/// newer replicas', so the replica fails here and its host restarts it from disk until this node is upgraded.
/// </summary>
public sealed class UnknownCommandException(long index, long tag) : Exception(
    $"log entry {index} holds partition command type {tag}, which this version of Kahuna does not know (a newer node " +
    "proposed it); the replica stops here rather than skip it and differ from the newer replicas: upgrade this node")
{
    /// <summary>The log index of the entry.</summary>
    public long Index { get; } = index;

    /// <summary>The unknown command tag.</summary>
    public long Tag { get; } = tag;
}
