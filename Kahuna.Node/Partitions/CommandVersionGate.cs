using Akka.Cluster;
using Akka.Util;
using Kahuna.Node.Cluster;
using Kahuna.Node.StateMachines.Commands;

namespace Kahuna.Node.Partitions;

/// <summary>
/// Keeps a leader from proposing a command that some node of the cluster cannot apply: while a rolling upgrade is under
/// way, a command type the newer version added is refused (<see cref="Kahuna.Protocol.KahunaStatus.Unsupported"/>)
/// until no Kahuna node runs an older version. Without it, the older replicas would stop at the entry (see
/// <see cref="UnknownCommandException"/>), and two of them would leave their group without a quorum.
/// </summary>
/// <param name="members">The cluster's current members (Akka's cluster state; every member carries its app-version).</param>
public sealed class CommandVersionGate(Func<IEnumerable<Member>> members)
{
    private static readonly AppVersion V110 = AppVersion.Create("1.1.0");

    /// <summary>
    /// The version that introduced <paramref name="command"/>'s type, or the fields it uses (an older replica reads
    /// fields it does not know as absent); null for what every version applies alike.
    /// </summary>
    public static AppVersion? IntroducedIn(IPartitionCommand command) => command switch
    {
        SetManyKeyValuesCommand or DeleteManyKeyValuesCommand => V110,
        DeleteKeyValueCommand { CompareValue: not null } or DeleteKeyValueCommand { CompareRevision: not null } => V110,
        _ => null,
    };

    /// <summary>Why <paramref name="command"/> may not be proposed now, or null when every Kahuna node can apply it.</summary>
    public string? Refusal(IPartitionCommand command)
    {
        if (IntroducedIn(command) is not { } needed) return null;
        foreach (var member in members())
        {
            if (!member.HasRole(NodeDirectory.KahunaRole) || member.AppVersion.CompareTo(needed) >= 0) continue;
            var name = NodeDirectory.NodeIdOf(member) ?? member.Address.ToString();
            return $"node {name} runs Kahuna {member.AppVersion}, which cannot apply {Describe(command)} " +
                   $"(it needs {needed}); the request works once every node is upgraded";
        }
        return null;
    }

    private static string Describe(IPartitionCommand command) => command is DeleteKeyValueCommand
        ? "a conditional DeleteKeyValue"
        : command.GetType().Name.Replace("Command", "");
}
