using System.CommandLine;
using System.Text;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

// kv mget: several keys in one request.
internal static partial class KeyValueCommands
{
    private static Command CreateGetMany(CliContext context)
    {
        var command = new Command("mget",
            "Read several keys in one request: one 'key<TAB>value' line per key found, in the order given " +
            "(exit 1, NotFound, when any is missing; the missing ones are named on stderr)");
        var keys = new Argument<string[]>("KEY") { Description = "The keys (UTF-8 text)", Arity = ArgumentArity.OneOrMore };
        command.Add(keys);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var asked = call.Get(keys);
            var results = await call.Client.GetManyAsync(asked, call.Durability, call.CancellationToken);
            var human = new StringBuilder();
            var missing = new List<string>();
            for (var i = 0; i < asked.Length; i++)
            {
                if (results[i].Found) human.Append(asked[i]).Append('\t').Append(Printable(results[i].Value!).Text).Append('\n');
                else missing.Add(asked[i]);
            }
            void Fields(System.Text.Json.Utf8JsonWriter w)
            {
                w.WriteNumber("found", asked.Length - missing.Count);
                w.WriteStartArray("items");
                for (var i = 0; i < asked.Length; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("key", asked[i]);
                    w.WriteBoolean("found", results[i].Found);
                    if (results[i].Found)
                    {
                        var (text, isText) = Printable(results[i].Value!);
                        w.WriteString("value", text);
                        w.WriteString("encoding", isText ? "utf8" : "base64");
                        w.WriteNumber("revision", results[i].Revision);
                        w.WriteTimestamp("expiresAt", results[i].ExpiresAt);
                    }
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            if (missing.Count == 0)
                return call.Output.Ok(human.ToString().TrimEnd('\n'), Fields);
            if (!call.Output.IsJson && human.Length > 0)
                context.Out.WriteLine(human.ToString().TrimEnd('\n'));
            return call.Output.Negative(KahunaStatus.NotFound, $"not found: {string.Join(", ", missing.Select(k => $"\"{k}\""))}", Fields);
        });
        return command;
    }
}
