using Kahuna.Node.Cli.Client;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>`kahuna cluster status` names a replica that is missing committed entries, next to its role.</summary>
public sealed class ClusterStatusRenderTests
{
    [Fact]
    public void ReplicaMissingCommittedEntries_IsShownWithItsRole()
    {
        var status = new ClusterStatusResponse
        {
            Status = KahunaStatus.Ok, NodeId = "n3", MapGeneration = 1,
            Members = [new ClusterMemberInfo { NodeId = "n3", Address = "akka.tcp://kahuna@127.0.0.1:7172" }],
            Partitions =
            [
                new PartitionInfo { Id = 0, RangeStart = "0", RangeEnd = "1", Replicas = ["n1", "n2", "n3"], Leader = null, LocalRole = "Follower", LostEntriesUpTo = 97 },
                new PartitionInfo { Id = 1, RangeStart = "1", RangeEnd = "2", Replicas = ["n1", "n2", "n3"], Leader = "n1", LocalRole = "Follower" },
            ],
        };
        var lines = ClusterCommands.Render(status).Split('\n');
        Assert.Contains(lines, l => l.Contains("Follower, missing committed entries up to 97"));
        Assert.Single(lines, l => l.Contains("missing committed entries"));
    }
}
