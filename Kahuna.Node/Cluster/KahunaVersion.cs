using Akka.Util;

namespace Kahuna.Node.Cluster;

/// <summary>
/// The version of what this build writes into partitions' logs, which every node advertises to the others as Akka's
/// <c>akka.cluster.app-version</c> (so it travels with cluster membership, and every node knows every other's).
/// </summary>
/// <remarks>
/// Raise it in every release that adds a partition command type (or changes what one means), and name that version in
/// <see cref="Partitions.CommandVersionGate"/>: leaders then propose such commands only once no node of the cluster
/// runs an older version, since an older replica cannot apply them (it stops at them rather than differ from the others).
/// </remarks>
public static class KahunaVersion
{
    /// <summary>
    /// This build's version, as advertised. Builds from before it was set advertise Akka's default, their assembly
    /// version (1.0.0), so versions start above that: every earlier build counts as older.
    /// </summary>
    public const string Current = "1.1.0";

    /// <summary><see cref="Current"/> in Akka's comparable form.</summary>
    public static readonly AppVersion CurrentAppVersion = AppVersion.Create(Current);
}
