using System.CommandLine;
using System.Text;
using System.Text.Json;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

// kv mdel: several deletes in one request; kv del --prefix / --all: every key under a prefix.
internal static partial class KeyValueCommands
{
    private static Command CreateDeleteMany(CliContext context)
    {
        var command = new Command("mdel",
            "Delete several keys in one request: prints how many were deleted, then 'key<TAB>deleted revision=N' or " +
            "'key<TAB>absent' per key (exit 1, NotFound, when any was absent). The keys of one partition (e.g. sharing a " +
            "{hash tag}) are deleted all together or not at all. Example: kahuna kv mdel cart/1 cart/2");
        var keys = new Argument<string[]>("KEY") { Description = "The keys (UTF-8 text)", Arity = ArgumentArity.OneOrMore };
        command.Add(keys);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var asked = call.Get(keys);
            var result = await call.Client.DeleteManyAsync(asked, call.Durability, call.CancellationToken);
            var human = new StringBuilder($"deleted {result.Deleted} of {asked.Length} keys");
            var absent = new List<string>();
            for (var i = 0; i < asked.Length; i++)
            {
                var revision = result.Revisions[i];
                human.Append('\n').Append(asked[i]).Append('\t').Append(revision > 0 ? $"deleted revision={revision}" : "absent");
                if (revision == 0) absent.Add(asked[i]);
            }
            void Fields(Utf8JsonWriter w)
            {
                w.WriteNumber("deleted", result.Deleted);
                w.WriteStartArray("items");
                for (var i = 0; i < asked.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("key", asked[i]);
                    w.WriteBoolean("deleted", result.Revisions[i] > 0);
                    if (result.Revisions[i] > 0)
                        w.WriteNumber("revision", result.Revisions[i]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (absent.Count == 0)
                return call.Output.Ok(human.ToString(), Fields);
            if (!call.Output.IsJson)
                context.Out.WriteLine(human.ToString());
            return call.Output.Negative(KahunaStatus.NotFound, $"absent: {string.Join(", ", absent.Select(k => $"\"{k}\""))}", Fields);
        });
        return command;
    }

    /// <summary>
    /// <c>kv del --prefix P</c> or <c>--all</c> (an empty prefix, asked for by name): every key under it, page by page.
    /// Deleting none is not an error, as a scan that finds none is not.
    /// </summary>
    private static async Task<int> DeleteUnderPrefixAsync(ClientInvocation call, string prefix)
    {
        var deleted = prefix.Length == 0
            ? await call.Client.DeleteAllKeysAsync(call.Durability, call.CancellationToken)
            : await call.Client.DeleteByPrefixAsync(prefix, call.Durability, call.CancellationToken);
        var under = prefix.Length == 0 ? "" : $" under \"{prefix}\"";
        if (deleted == 0)
            call.Output.Note($"no keys{under}");
        return call.Output.Ok($"deleted {deleted} keys{under}", w =>
        {
            w.WriteString("prefix", prefix);
            w.WriteNumber("deleted", deleted);
        });
    }
}
