using System.CommandLine;
using Kahuna.Node.Cli.Common;

namespace Kahuna.Node.Cli.Client;

/// <summary><c>kahuna seq next NAME [--count N]</c>: unique, increasing values per name.</summary>
internal static class SequenceCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("seq", "Sequences: unique, increasing values per name (always persistent)");
        command.Add(CreateNext(context));
        return command;
    }

    private static Command CreateNext(CliContext context)
    {
        var command = new Command("next", "Take the next value, or a range of --count values: prints N, or 'FIRST..LAST (start=S count=N)'");
        var name = new Argument<string>("NAME") { Description = "The sequence's name" };
        var count = OptionFactory.AtLeast("--count", 1, "How many values to take, as one range (default 1)");
        var idempotencyKey = new Option<string?>("--idempotency-key")
        {
            Description = "Asking again with the same key returns the same range (safe retries, even from another process)",
            HelpName = "key",
        };
        command.Add(name);
        command.Add(count);
        command.Add(idempotencyKey);
        // Sequences have no ephemeral form in the protocol, so no --ephemeral here.
        var options = ClientOptionSet.AddTo(command, withDurability: false);
        command.SetClientAction(options, context, async call =>
        {
            var sequence = call.Get(name);
            long asked = call.Get(count) ?? 1;
            if (asked > int.MaxValue)
                throw new CliUsageException($"--count: {asked} is too large");
            var range = await call.Client.NextSequenceAsync(sequence, (int)asked, call.Get(idempotencyKey), call.CancellationToken);
            var human = range.Count == 1 ? $"{range.Start}" : $"{range.Start}..{range.End - 1} (start={range.Start} count={range.Count})";
            return call.Output.Ok(human, w =>
            {
                w.WriteString("name", sequence);
                w.WriteNumber("start", range.Start);
                w.WriteNumber("count", range.Count);
                w.WriteNumber("end", range.End);
            });
        });
        return command;
    }
}
