using System.Collections.Frozen;
using System.Reflection;
using MessagePack;
using MessagePack.Resolvers;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// Encodes partition commands for the replicated log: MessagePack, the union tag first
/// (<c>[tag, [field0, field1, …]]</c>), fields by their integer keys. Pinned by golden-bytes tests.
/// </summary>
public static class PartitionCommandCodec
{
    /// <summary>Options for everything the state machines write to disk (commands and snapshots).</summary>
    internal static readonly MessagePackSerializerOptions Options = MessagePackSerializerOptions.Standard
        .WithResolver(StandardResolver.Instance)
        .WithSecurity(MessagePackSecurity.UntrustedData);

    public static byte[] Encode(IPartitionCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return MessagePackSerializer.Serialize(command, Options);
    }

    /// <summary>Decodes a command; throws <see cref="MessagePackSerializationException"/> when the bytes are not one.</summary>
    public static IPartitionCommand Decode(ReadOnlyMemory<byte> encoded) =>
        MessagePackSerializer.Deserialize<IPartitionCommand>(encoded, Options)
        ?? throw new MessagePackSerializationException("a null command");

    /// <summary>Every command tag this build knows (the union of <see cref="IPartitionCommand"/>).</summary>
    private static readonly FrozenSet<int> KnownTags =
        typeof(IPartitionCommand).GetCustomAttributes<UnionAttribute>().Select(u => u.Key).ToFrozenSet();

    /// <summary>
    /// True when <paramref name="encoded"/> is a well-formed command union (<c>[tag, fields]</c>) whose tag this build
    /// does not know: a command of a newer version, not damaged bytes.
    /// </summary>
    public static bool IsOfUnknownType(ReadOnlyMemory<byte> encoded, out long tag)
    {
        tag = 0;
        try
        {
            var reader = new MessagePackReader(encoded);
            if (reader.NextMessagePackType != MessagePackType.Array || reader.ReadArrayHeader() != 2
                || reader.NextMessagePackType != MessagePackType.Integer)
                return false;
            tag = reader.ReadInt64();
            return tag is < int.MinValue or > int.MaxValue || !KnownTags.Contains((int)tag);
        }
        catch (MessagePackSerializationException)
        {
            return false;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    /// <summary>Decodes a command, or explains why the bytes are not one.</summary>
    public static bool TryDecode(ReadOnlyMemory<byte> encoded, out IPartitionCommand command, out string error)
    {
        try
        {
            command = Decode(encoded);
            error = "";
            return true;
        }
        catch (MessagePackSerializationException exception)
        {
            command = null!;
            error = exception.InnerException?.Message ?? exception.Message;
            return false;
        }
    }
}
