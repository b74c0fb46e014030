using System.CommandLine;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Cli.Client;

// kv scan: the keys under a prefix, page after page.
internal static partial class KeyValueCommands
{
    private static Command CreateScan(CliContext context)
    {
        var command = new Command("scan",
            "List the keys that start with PREFIX, in order, with their values (text when valid UTF-8, else base64); " +
            "every key when PREFIX is omitted. Finding none is not an error (exit 0)");
        var prefix = new Argument<string>("PREFIX") { Description = "The prefix (UTF-8 text; omit to list every key)", Arity = ArgumentArity.ZeroOrOne, DefaultValueFactory = _ => "" };
        var limit = OptionFactory.AtLeast("--limit", 1, "Stop after N keys; the output then says where to resume (default: every key)");
        var startAfter = new Option<string?>("--start-after") { Description = "Only keys after this one (to resume an earlier scan)", HelpName = "key" };
        var keysOnly = new Option<bool>("--keys-only") { Description = "Print the keys without their values" };
        command.Add(prefix);
        foreach (var option in new Option[] { limit, startAfter, keysOnly })
            command.Add(option);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var prefixText = call.Get(prefix) ?? "";
            var most = call.Get(limit) ?? long.MaxValue;
            var bare = call.Get(keysOnly);
            // Human output streams: each page is printed as it arrives, so a scan of millions of keys starts at once
            // and holds one page in memory. JSON is one object, so it keeps what it found until the end.
            var kept = call.Output.IsJson ? new List<(ScanEntry Entry, string Text, bool IsText)>() : null;
            long count = 0;
            var after = call.Get(startAfter);
            do
            {
                var pageLimit = (int)Math.Min(most - count, ProtocolLimits.MaxScanLimit);
                var page = bare
                    ? await call.Client.ScanKeysAsync(prefixText, after, pageLimit, call.Durability, call.CancellationToken)
                    : await call.Client.ScanAsync(prefixText, after, pageLimit, call.Durability, call.CancellationToken);
                foreach (var entry in page.Entries)
                {
                    var (text, isText) = Printable(entry.Value);
                    if (kept is not null) kept.Add((entry, text, isText));
                    else context.Out.WriteLine(bare ? entry.Key : $"{entry.Key}\t{text}");
                }
                count += page.Entries.Count;
                after = page.NextStartAfter;
            }
            while (after is not null && count < most);

            if (after is not null)
                call.Output.Note($"note: stopped after {count} keys; resume with --start-after '{after}'");
            else if (count == 0)
                call.Output.Note(prefixText.Length == 0 ? "no keys" : $"no keys start with \"{prefixText}\"");
            return call.Output.Ok(null, w =>
            {
                w.WriteString("prefix", prefixText);
                w.WriteNumber("count", count);
                w.WriteStartArray("items");
                foreach (var (entry, text, isText) in kept ?? [])
                {
                    w.WriteStartObject();
                    w.WriteString("key", entry.Key);
                    if (!bare)
                    {
                        w.WriteString("value", text);
                        w.WriteString("encoding", isText ? "utf8" : "base64");
                    }
                    w.WriteNumber("revision", entry.Revision);
                    w.WriteTimestamp("expiresAt", entry.ExpiresAt);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                if (after is null) w.WriteNull("nextStartAfter");
                else w.WriteString("nextStartAfter", after);
            });
        });
        return command;
    }
}
