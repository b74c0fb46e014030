using System.CommandLine;
using Spectre.Console;

namespace Kahuna.Node.Cli.Client;

/// <summary><c>kahuna cluster status</c>: a node's view of the cluster (members, partitions, leaders, progress); <c>transfer-leader</c> in its own file.</summary>
internal static class ClusterCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("cluster", "Cluster administration");
        command.Add(CreateStatus(context));
        command.Add(TransferLeaderCommand.Create(context));
        return command;
    }

    private static Command CreateStatus(CliContext context)
    {
        var command = new Command("status", "Show the members and every partition's replicas, leader, term and commit index, as one node sees them");
        var options = ClientOptionSet.AddTo(command, withDurability: false);
        command.SetClientAction(options, context, async call =>
        {
            var status = await call.Client.GetClusterStatusAsync(call.CancellationToken);
            return call.Output.Ok(Render(status), w =>
            {
                w.WriteString("nodeId", status.NodeId);
                w.WriteNumber("mapGeneration", status.MapGeneration);
                w.WriteStartArray("members");
                foreach (var m in status.Members)
                {
                    w.WriteStartObject();
                    w.WriteString("nodeId", m.NodeId);
                    w.WriteString("address", m.Address);
                    if (m.Version is null) w.WriteNull("version"); else w.WriteString("version", m.Version);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("partitions");
                foreach (var p in status.Partitions)
                {
                    w.WriteStartObject();
                    w.WriteNumber("id", p.Id);
                    w.WriteString("rangeStart", p.RangeStart);
                    w.WriteString("rangeEnd", p.RangeEnd);
                    w.WriteStartArray("replicas");
                    foreach (var r in p.Replicas) w.WriteStringValue(r);
                    w.WriteEndArray();
                    if (p.Leader is null) w.WriteNull("leader"); else w.WriteString("leader", p.Leader);
                    w.WriteNumber("term", p.Term);
                    w.WriteNumber("commitIndex", p.CommitIndex);
                    w.WriteNumber("appliedIndex", p.AppliedIndex);
                    w.WriteString("localRole", p.LocalRole);
                    w.WriteNumber("lostEntriesUpTo", p.LostEntriesUpTo);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        return command;
    }

    internal static string Render(Kahuna.Protocol.Messages.ClusterStatusResponse status)
    {
        var text = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(text), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        console.Profile.Width = 140;
        console.WriteLine($"as seen by {status.NodeId} (partition map generation {status.MapGeneration})");
        var members = new Table().AddColumns("node", "address", "version");
        foreach (var m in status.Members) members.AddRow(m.NodeId, m.Address, m.Version ?? "?");
        console.Write(members);
        var partitions = new Table().AddColumns("partition", "hash range", "replicas", "leader", "term", "commit", "applied", $"role on {status.NodeId}");
        foreach (var p in status.Partitions)
            partitions.AddRow($"{p.Id}", $"{p.RangeStart}..{p.RangeEnd}", string.Join(",", p.Replicas), p.Leader ?? "?",
                $"{p.Term}", $"{p.CommitIndex}", $"{p.AppliedIndex}",
                p.LostEntriesUpTo > 0 ? $"{p.LocalRole}, missing committed entries up to {p.LostEntriesUpTo}" : p.LocalRole);
        console.Write(partitions);
        return text.ToString().TrimEnd();
    }
}
