using System.CommandLine;
using System.Text.Json;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Cli.Client;

/// <summary>
/// <c>kahuna lock acquire|extend|release|get</c>. A lock belongs to an owner id (hex) rather than to a process,
/// so one command can take a lock and another, later, extend or release it by passing the same <c>--owner</c>.
/// </summary>
internal static class LockCommands
{
    public static Command Create(CliContext context)
    {
        var command = new Command("lock", "Distributed locks with leases and fencing tokens: acquire, extend, release, get");
        command.Add(CreateAcquire(context));
        command.Add(CreateExtend(context));
        command.Add(CreateRelease(context));
        command.Add(CreateGet(context));
        return command;
    }

    private static Argument<string> NameArgument() => new("NAME") { Description = "The lock's name (the resource it protects)" };

    private static Option<LockOwner?> OwnerOption(string description) => new("--owner")
    {
        Description = description,
        HelpName = "hex",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
            try
            {
                var owner = LockOwner.FromHex(text);
                if (!owner.IsEmpty)
                    return owner;
            }
            catch (FormatException)
            {
            }
            result.AddError($"--owner: '{text}' is not an owner id (an even number of hex digits, as printed by 'kahuna lock acquire')");
            return null;
        },
    };

    private static Option<TimeSpan?> LeaseOption(string description)
    {
        var lease = OptionFactory.Duration("--lease", description);
        lease.Required = true;
        return lease;
    }

    private static Command CreateAcquire(CliContext context)
    {
        var command = new Command("acquire", "Take a lock for --lease; without --owner an owner id is generated and printed (exit 1, Busy, when held by another owner)");
        var name = NameArgument();
        var lease = LeaseOption("How long the lock is held unless extended (e.g. 10s)");
        var owner = OwnerOption("Take the lock as this owner (hex); acquiring again as the same owner keeps the same fencing token");
        var wait = OptionFactory.Duration("--wait", "Keep trying this long while the lock is busy (default: one attempt)");
        command.Add(name);
        command.Add(lease);
        command.Add(owner);
        command.Add(wait);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var resource = call.Get(name);
            var given = call.Get(owner);
            var who = given ?? LockOwner.NewRandom();
            // The handle is deliberately not disposed: disposing releases the lock, and this command's whole
            // point is to leave it held for a later 'lock release'.
            var handle = await call.Client.AcquireLockAsync(resource, call.Get(lease)!.Value, call.Get(wait), call.Durability, who, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("resource", resource);
                w.WriteBoolean("acquired", handle.IsAcquired);
                w.WriteString("owner", who.ToHex());
                if (!handle.IsAcquired)
                    return;
                w.WriteNumber("fencingToken", handle.FencingToken);
                w.WriteTimestamp("expiresAt", handle.ExpiresAt);
            }
            if (!handle.IsAcquired)
                return call.Output.Negative(KahunaStatus.Busy, $"busy: \"{resource}\" is held by another owner", Fields);
            var exit = call.Output.Ok($"acquired lock \"{resource}\" owner={who.ToHex()} token={handle.FencingToken}{Timestamps.ExpiresSuffix(handle.ExpiresAt)}", Fields);
            if (given is null)
                call.Output.Note($"note: generated owner id; release with: kahuna lock release {resource} --owner {who.ToHex()}");
            return exit;
        });
        return command;
    }

    private static Command CreateExtend(CliContext context)
    {
        var command = new Command("extend", "Push a held lock's lease to now + --lease (exit 1: NotFound when not held, NotOwner when held by another)");
        var name = NameArgument();
        var lease = LeaseOption("The new lease, counted from now");
        var owner = OwnerOption("The owner that holds the lock (hex, as printed by 'lock acquire')");
        owner.Required = true;
        command.Add(name);
        command.Add(lease);
        command.Add(owner);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var resource = call.Get(name);
            var who = call.Get(owner)!.Value;
            var result = await call.Client.ExtendLockAsync(resource, who, call.Get(lease)!.Value, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("resource", resource);
                w.WriteBoolean("extended", result.Extended);
                w.WriteString("owner", who.ToHex());
                if (!result.Extended)
                    return;
                w.WriteNumber("fencingToken", result.FencingToken);
                w.WriteTimestamp("expiresAt", result.ExpiresAt);
            }
            return result.Extended
                ? call.Output.Ok($"extended lock \"{resource}\" token={result.FencingToken}{Timestamps.ExpiresSuffix(result.ExpiresAt)}", Fields)
                : call.Output.Negative(result.Status, NegativeText(result.Status, resource), Fields);
        });
        return command;
    }

    private static Command CreateRelease(CliContext context)
    {
        var command = new Command("release", "Release a lock held by --owner, from any process (exit 1: NotFound when not held, NotOwner when held by another)");
        var name = NameArgument();
        var owner = OwnerOption("The owner that holds the lock (hex, as printed by 'lock acquire')");
        owner.Required = true;
        command.Add(name);
        command.Add(owner);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var resource = call.Get(name);
            var who = call.Get(owner)!.Value;
            var result = await call.Client.UnlockAsync(resource, who, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("resource", resource);
                w.WriteBoolean("released", result.Released);
                w.WriteString("owner", who.ToHex());
            }
            return result.Released
                ? call.Output.Ok($"released lock \"{resource}\"", Fields)
                : call.Output.Negative(result.Status, NegativeText(result.Status, resource), Fields);
        });
        return command;
    }

    private static Command CreateGet(CliContext context)
    {
        var command = new Command("get", "Show a lock's owner, fencing token and expiry (exit 1, NotFound, when not held)");
        var name = NameArgument();
        command.Add(name);
        var options = ClientOptionSet.AddTo(command);
        command.SetClientAction(options, context, async call =>
        {
            var resource = call.Get(name);
            var info = await call.Client.GetLockAsync(resource, call.Durability, call.CancellationToken);
            void Fields(Utf8JsonWriter w)
            {
                w.WriteString("resource", resource);
                w.WriteBoolean("found", info.Found);
                if (!info.Found)
                    return;
                w.WriteString("owner", info.Owner.ToHex());
                w.WriteNumber("fencingToken", info.FencingToken);
                w.WriteTimestamp("expiresAt", info.ExpiresAt);
            }
            return info.Found
                ? call.Output.Ok($"lock \"{resource}\" owner={info.Owner.ToHex()} token={info.FencingToken}{Timestamps.ExpiresSuffix(info.ExpiresAt)}", Fields)
                : call.Output.Negative(KahunaStatus.NotFound, NegativeText(KahunaStatus.NotFound, resource), Fields);
        });
        return command;
    }

    private static string NegativeText(KahunaStatus status, string resource) => status switch
    {
        KahunaStatus.NotFound => $"not found: lock \"{resource}\" is not held (or its lease expired)",
        KahunaStatus.NotOwner => $"not owner: lock \"{resource}\" is held by another owner",
        _ => $"{status}: lock \"{resource}\"",
    };
}
