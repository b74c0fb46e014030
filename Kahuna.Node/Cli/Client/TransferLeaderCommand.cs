using System.CommandLine;
using System.Diagnostics;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

/// <summary>
/// <c>kahuna cluster transfer-leader PARTITION NODE [--wait 10s]</c>: hands a partition's leadership to one of its
/// replicas (an admin command: needs an admin token on a cluster that requires authentication), then waits until
/// the answering node sees the new leader, asking again while it does not (<see cref="LeaderTransferWait"/>).
/// </summary>
internal static class TransferLeaderCommand
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    public static Command Create(CliContext context)
    {
        var command = new Command("transfer-leader",
            "Hand a partition's leadership to one of its replicas (admin: needs an admin token), and wait until it leads");
        var partition = new Argument<int>("PARTITION") { Description = "The partition's id (kahuna cluster status lists them)" };
        var node = new Argument<string>("NODE") { Description = "The node that should lead it; it must hold a replica of the partition" };
        var wait = OptionFactory.Duration("--wait", "How long to wait for the new leader to take over, asking again every 2s meanwhile (default 10s; 0 = do not wait)");
        command.Add(partition);
        command.Add(node);
        command.Add(wait);
        var options = ClientOptionSet.AddTo(command, withDurability: false);
        command.SetClientAction(options, context, async call =>
        {
            var id = call.Get(partition);
            var target = call.Get(node);
            var patience = call.Get(wait) ?? DefaultWait;
            var previous = await call.Client.TransferLeaderAsync(id, target, call.CancellationToken);
            var waited = Stopwatch.StartNew();
            var waiter = new LeaderTransferWait(
                async ct => (await call.Client.GetClusterStatusAsync(ct)).Partitions.FirstOrDefault(p => p.Id == id)?.Leader,
                ct => call.Client.TransferLeaderAsync(id, target, ct),
                LeaderTransferWait.DefaultPollEvery, LeaderTransferWait.DefaultAskAgainEvery);
            var leader = patience > TimeSpan.Zero ? await waiter.RunAsync(target, patience, call.CancellationToken) : null;
            void Fields(System.Text.Json.Utf8JsonWriter w)
            {
                w.WriteNumber("partition", id);
                w.WriteString("target", target);
                if (previous is null) w.WriteNull("previousLeader"); else w.WriteString("previousLeader", previous);
                if (leader is null) w.WriteNull("leader"); else w.WriteString("leader", leader);
                w.WriteNumber("askedAgain", waiter.AskedAgain);
            }
            if (patience <= TimeSpan.Zero)
                return call.Output.Ok($"partition {id}: transfer from {previous} to {target} started", Fields);
            if (leader == target)
                return call.Output.Ok($"partition {id}: {target} leads (was {previous}, took {waited.Elapsed.TotalSeconds:F1}s)", Fields);
            return call.Output.Negative(KahunaStatus.Timeout,
                $"partition {id}: {target} did not take over within {patience.TotalSeconds:F0}s (leader now: {leader ?? "unknown"})", Fields);
        });
        return command;
    }
}
