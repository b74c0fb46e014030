using System.CommandLine;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

// kv get and kv exists.
internal static partial class KeyValueCommands
{
    private static Command CreateGet(CliContext context)
    {
        var command = new Command("get", "Read a value: text when valid UTF-8, else base64 (exit 1, NotFound, when missing)");
        var key = KeyArgument();
        var revision = OptionFactory.AtLeast("--revision", 1, "Read the value as it was at revision N (within the server's history window)");
        command.Add(key);
        command.Add(revision);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var keyText = call.Get(key);
            var result = call.Get(revision) is { } at
                ? await call.Client.GetAtRevisionAsync(keyText, at, call.Durability, call.CancellationToken)
                : await call.Client.GetAsync(keyText, call.Durability, call.CancellationToken);
            if (!result.Found)
            {
                var what = call.Get(revision) is { } asked ? $"\"{keyText}\" at revision {asked}" : $"\"{keyText}\"";
                return call.Output.Negative(KahunaStatus.NotFound, $"not found: {what}", w =>
                {
                    w.WriteString("key", keyText);
                    w.WriteBoolean("found", false);
                });
            }
            var (printed, isText) = Printable(result.Value ?? []);
            if (!isText)
                call.Output.Note("note: the value is not valid UTF-8; printed as base64");
            return call.Output.Ok(printed, w =>
            {
                w.WriteString("key", keyText);
                w.WriteBoolean("found", true);
                w.WriteString("value", printed);
                w.WriteString("encoding", isText ? "utf8" : "base64");
                w.WriteNumber("revision", result.Revision);
                w.WriteTimestamp("expiresAt", result.ExpiresAt);
            });
        });
        return command;
    }

    private static Command CreateExists(CliContext context)
    {
        var command = new Command("exists", "Tell whether a key exists and its revision (exit 1, NotFound, when it does not)");
        var key = KeyArgument();
        command.Add(key);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var keyText = call.Get(key);
            var result = await call.Client.ExistsAsync(keyText, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("key", keyText);
                w.WriteBoolean("exists", result.Exists);
                if (!result.Exists)
                    return;
                w.WriteNumber("revision", result.Revision);
                w.WriteTimestamp("expiresAt", result.ExpiresAt);
            }
            return result.Exists
                ? call.Output.Ok($"exists \"{keyText}\" revision={result.Revision}{Timestamps.ExpiresSuffix(result.ExpiresAt)}", Fields)
                : call.Output.Negative(KahunaStatus.NotFound, $"not found: \"{keyText}\"", Fields);
        });
        return command;
    }

    /// <summary>A value as the commands print it: text when it is valid UTF-8, else base64.</summary>
    private static (string Text, bool IsText) Printable(byte[] value) =>
        Utf8.IsValid(value) ? (Encoding.UTF8.GetString(value), true) : (Convert.ToBase64String(value), false);
}
