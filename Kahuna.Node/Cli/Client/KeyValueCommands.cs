using System.CommandLine;
using System.Text;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Cli.Client;

/// <summary><c>kahuna kv set|mset|get|mget|del|mdel|exists|extend|scan</c>: the key/value store.</summary>
internal static partial class KeyValueCommands
{
    public static Command Create(CliContext context)
    {
        var kv = new Command("kv", "Key/value store: set, mset, get, mget, del, mdel, exists, extend, scan (revisions, compare-and-set, TTL, prefix scans and deletes)");
        kv.Add(CreateSet(context));
        kv.Add(CreateSetMany(context));
        kv.Add(CreateGet(context));
        kv.Add(CreateGetMany(context));
        kv.Add(CreateDelete(context));
        kv.Add(CreateDeleteMany(context));
        kv.Add(CreateExists(context));
        kv.Add(CreateExtend(context));
        kv.Add(CreateScan(context));
        return kv;
    }

    private static Argument<string> KeyArgument() => new("KEY") { Description = "The key (UTF-8 text)" };

    private static Command CreateSet(CliContext context)
    {
        var command = new Command("set", "Write a value, optionally only if a condition holds (exit 1, PreconditionFailed, when it does not)");
        var key = KeyArgument();
        var value = new Argument<string?>("VALUE") { Description = "The value as UTF-8 text (or use --value-file / --value-base64)", Arity = ArgumentArity.ZeroOrOne };
        var valueFile = new Option<string?>("--value-file") { Description = "Read the value from this file ('-' for standard input)", HelpName = "path" };
        var valueBase64 = new Option<string?>("--value-base64") { Description = "The value as base64 (for binary values)", HelpName = "base64" };
        var ttl = OptionFactory.Duration("--ttl", "Time to live; the key disappears after it (default: never)");
        var ifNotExists = new Option<bool>("--if-not-exists") { Description = "Write only if the key does not exist" };
        var ifExists = new Option<bool>("--if-exists") { Description = "Write only if the key exists" };
        var ifValue = new Option<string?>("--if-value") { Description = "Write only if the current value equals this text (compare-and-set)", HelpName = "value" };
        var ifRevision = OptionFactory.AtLeast("--if-revision", 1, "Write only if the key's current revision is N (compare-and-set)");
        command.Add(key);
        command.Add(value);
        foreach (var option in new Option[] { valueFile, valueBase64, ttl, ifNotExists, ifExists, ifValue, ifRevision })
            command.Add(option);
        command.Validators.Add(result =>
        {
            int sources = (result.GetValue(value) is null ? 0 : 1) + (result.GetResult(valueFile) is null ? 0 : 1) + (result.GetResult(valueBase64) is null ? 0 : 1);
            if (sources != 1)
                result.AddError("give the value exactly one way: VALUE, --value-file or --value-base64");
            int conditions = (result.GetValue(ifNotExists) ? 1 : 0) + (result.GetValue(ifExists) ? 1 : 0)
                + (result.GetResult(ifValue) is null ? 0 : 1) + (result.GetResult(ifRevision) is null ? 0 : 1);
            if (conditions > 1)
                result.AddError("use at most one of --if-not-exists, --if-exists, --if-value, --if-revision");
        });
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var keyText = call.Get(key);
            var bytes = await ValueSource.ReadAsync(call.Get(value), call.Get(valueFile), call.Get(valueBase64), context, call.CancellationToken);
            var ttlValue = call.Get(ttl);
            var flags = call.Get(ifNotExists) ? SetFlags.IfNotExists : call.Get(ifExists) ? SetFlags.IfExists : SetFlags.None;
            SetResult result;
            if (call.Get(ifValue) is { } expected)
                result = await call.Client.CompareValueAndSetAsync(keyText, bytes, Encoding.UTF8.GetBytes(expected), ttlValue, call.Durability, call.CancellationToken);
            else if (call.Get(ifRevision) is { } revision)
                result = await call.Client.CompareRevisionAndSetAsync(keyText, bytes, revision, ttlValue, call.Durability, call.CancellationToken);
            else
                result = await call.Client.SetAsync(keyText, bytes, ttlValue, flags, call.Durability, call.CancellationToken);
            return ReportSet(call.Output, keyText, result);
        });
        return command;
    }

    private static int ReportSet(CommandOutput output, string key, SetResult result)
    {
        void Fields(System.Text.Json.Utf8JsonWriter w)
        {
            w.WriteString("key", key);
            w.WriteBoolean("succeeded", result.Succeeded);
            w.WriteNumber("revision", result.Revision);
        }
        if (result.Succeeded)
            return output.Ok($"OK revision={result.Revision}", Fields);
        var current = result.Revision > 0 ? $"current revision={result.Revision}" : "the key does not exist";
        return output.Negative(KahunaStatus.PreconditionFailed, $"precondition failed: \"{key}\" was not written ({current})", Fields);
    }
}
