using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Client;

// kv del (one key, or every key under a prefix) and kv extend.
internal static partial class KeyValueCommands
{
    private static Command CreateDelete(CliContext context)
    {
        var command = new Command("del",
            "Delete a key (exit 1, NotFound, when it did not exist), or with --prefix every key under a prefix, or with " +
            "--all every key (prints how many were deleted; not atomic: deleted page by page). With --if-value or " +
            "--if-revision, only if the key still holds that (exit 1, PreconditionFailed, when it does not). " +
            "Examples: kahuna kv del cart/1; kahuna kv del cart/1 --if-revision 7; kahuna kv del --prefix sessions/");
        command.Aliases.Add("delete");
        var key = new Argument<string?>("KEY") { Description = "The key (UTF-8 text)", Arity = ArgumentArity.ZeroOrOne };
        var prefix = new Option<string?>("--prefix") { Description = "Delete every key that starts with this text instead of one key", HelpName = "prefix" };
        var all = new Option<bool>("--all") { Description = "Delete every key of the keyspace (with --ephemeral, of the ephemeral one)" };
        var ifValue = new Option<string?>("--if-value") { Description = "Delete only if the current value equals this text (compare-and-delete)", HelpName = "value" };
        var ifRevision = OptionFactory.AtLeast("--if-revision", 1, "Delete only if the key's current revision is N (compare-and-delete)");
        command.Add(key);
        foreach (var option in new Option[] { prefix, all, ifValue, ifRevision })
            command.Add(option);
        command.Validators.Add(result =>
        {
            var hasKey = result.GetValue(key) is not null;
            var prefixText = result.GetValue(prefix);
            var hasAll = result.GetValue(all);
            if (prefixText is not null && hasAll)
                result.AddError("use either --prefix or --all, not both");
            else if (hasKey && (prefixText is not null || hasAll))
                result.AddError("give either a KEY or --prefix/--all, not both");
            else if (!hasKey && prefixText is null && !hasAll)
                result.AddError("name a KEY to delete, or use --prefix P or --all");
            else if (prefixText is { Length: 0 })
                result.AddError("--prefix needs a non-empty prefix; to delete every key, use --all");
            else if (result.GetResult(ifValue) is not null && result.GetResult(ifRevision) is not null)
                result.AddError("use at most one of --if-value, --if-revision");
            else if (!hasKey && (result.GetResult(ifValue) is not null || result.GetResult(ifRevision) is not null))
                result.AddError("--if-value and --if-revision apply to one KEY, not to --prefix or --all");
        });
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            if (call.Get(all))
                return await DeleteUnderPrefixAsync(call, "");
            if (call.Get(prefix) is { } prefixText)
                return await DeleteUnderPrefixAsync(call, prefixText);
            var keyText = call.Get(key)!;
            var result = call.Get(ifValue) is { } expected
                ? await call.Client.CompareValueAndDeleteAsync(keyText, expected, call.Durability, call.CancellationToken)
                : call.Get(ifRevision) is { } revision
                    ? await call.Client.CompareRevisionAndDeleteAsync(keyText, revision, call.Durability, call.CancellationToken)
                    : await call.Client.DeleteAsync(keyText, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("key", keyText);
                w.WriteBoolean("deleted", result.Deleted);
                if (result.Revision > 0)
                    w.WriteNumber("revision", result.Revision);
            }
            if (result.Deleted)
                return call.Output.Ok($"deleted \"{keyText}\" revision={result.Revision}", Fields);
            return result.Revision > 0 // a condition did not hold: the key is there, at this revision
                ? call.Output.Negative(KahunaStatus.PreconditionFailed, $"precondition failed: \"{keyText}\" was not deleted (current revision={result.Revision})", Fields)
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
