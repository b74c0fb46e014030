using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

// kv del and kv extend.
internal static partial class KeyValueCommands
{
    private static Command CreateDelete(CliContext context)
    {
        var command = new Command("del", "Delete a key (exit 1, NotFound, when it did not exist)");
        var key = KeyArgument();
        command.Add(key);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var keyText = call.Get(key);
            var result = await call.Client.DeleteAsync(keyText, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("key", keyText);
                w.WriteBoolean("deleted", result.Deleted);
                if (result.Deleted)
                    w.WriteNumber("revision", result.Revision);
            }
            return result.Deleted
                ? call.Output.Ok($"deleted \"{keyText}\" revision={result.Revision}", Fields)
                : call.Output.Negative(KahunaStatus.NotFound, $"not found: \"{keyText}\"", Fields);
        });
        return command;
    }

    private static Command CreateExtend(CliContext context)
    {
        var command = new Command("extend", "Set a key's time to live to now + --ttl, 0 = never expire (exit 1, NotFound, when missing)");
        var key = KeyArgument();
        var ttl = OptionFactory.Duration("--ttl", "The new time to live, counted from now (0 = never expire)");
        ttl.Required = true;
        command.Add(key);
        command.Add(ttl);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var keyText = call.Get(key);
            var result = await call.Client.ExtendAsync(keyText, call.Get(ttl)!.Value, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("key", keyText);
                w.WriteBoolean("extended", result.Extended);
                if (!result.Extended)
                    return;
                w.WriteNumber("revision", result.Revision);
                w.WriteTimestamp("expiresAt", result.ExpiresAt);
            }
            if (!result.Extended)
                return call.Output.Negative(KahunaStatus.NotFound, $"not found: \"{keyText}\"", Fields);
            var expiry = result.ExpiresAt is { } at ? $"expires={Timestamps.Format(at)}" : "(no expiry)";
            return call.Output.Ok($"extended \"{keyText}\" revision={result.Revision} {expiry}", Fields);
        });
        return command;
    }
}
