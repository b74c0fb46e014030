using System.CommandLine;
using System.Text;
using Kahuna.Node.Cli.Common;

namespace Kahuna.Node.Cli.Client;

// kv mset: several writes in one request.
internal static partial class KeyValueCommands
{
    private static Command CreateSetMany(CliContext context)
    {
        var command = new Command("mset",
            "Write several keys in one request, unconditionally: KEY VALUE [KEY VALUE ...]. The keys of one partition " +
            "(e.g. sharing a {hash tag}) are written all together or not at all");
        var pairs = new Argument<string[]>("KEY VALUE") { Description = "Keys, each followed by its value (UTF-8 text)", Arity = ArgumentArity.OneOrMore };
        var ttl = OptionFactory.Duration("--ttl", "Time to live of every key written (default: never)");
        command.Add(pairs);
        command.Add(ttl);
        command.Validators.Add(result =>
        {
            if ((result.GetValue(pairs)?.Length ?? 0) % 2 != 0)
                result.AddError("give a value after every key: KEY VALUE [KEY VALUE ...]");
        });
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var words = call.Get(pairs);
            var items = new List<KeyValuePair<string, string>>();
            for (var i = 0; i + 1 < words.Length; i += 2)
                items.Add(KeyValuePair.Create(words[i], words[i + 1]));
            var revisions = await call.Client.SetManyAsync(items, call.Get(ttl), call.Durability, call.CancellationToken);
            var human = new StringBuilder("OK");
            for (var i = 0; i < items.Count; i++)
                human.Append(' ').Append(items[i].Key).Append("=revision:").Append(revisions[i]);
            return call.Output.Ok(human.ToString(), w =>
            {
                w.WriteBoolean("succeeded", true);
                w.WriteStartArray("items");
                for (var i = 0; i < items.Count; i++)
                {
                    w.WriteStartObject();
                    w.WriteString("key", items[i].Key);
                    w.WriteNumber("revision", revisions[i]);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            });
        });
        return command;
    }
}
