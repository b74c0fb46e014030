using System.Text;
using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using MessagePack;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class PartitionCommandCodecTests
{
    private static readonly OperationId Operation = new(0x0102030405060708, 0x1112131415161718, 42);

    /// <summary>One of each command, with every optional field used at least once.</summary>
    public static TheoryData<IPartitionCommand> AllCommands() =>
    [
        new TryLockCommand(1000, Operation, 40, "res", [1, 2], 5000),
        new TryLockCommand(1000, null, 0, "res", [1, 2], 5000),
        new ExtendLockCommand(1000, Operation, 40, "res", [1, 2], 5000),
        new UnlockCommand(1000, Operation, 40, "res", [1, 2]),
        new ExpireLocksCommand(1000, ["a", "b"]),
        new SetKeyValueCommand(1000, Operation, 40, "key", [9], 100, SetCondition.IfExists, [8], 7),
        new SetKeyValueCommand(1000, null, 0, "key", [], 0, SetCondition.None, null, null),
        new DeleteKeyValueCommand(1000, Operation, 40, "key"),
        new DeleteKeyValueCommand(1000, Operation, 40, "key", [1, 2], 7),
        new ExtendKeyValueCommand(1000, Operation, 40, "key", 300),
        new ExpireKeysCommand(1000, ["k1"]),
        new SetManyKeyValuesCommand(1000, Operation, 40, [new KeyValueWrite("a", [1], 0), new KeyValueWrite("b", [], 500)]),
        new DeleteManyKeyValuesCommand(1000, Operation, 40, ["a", "b"]),
        new NextSequenceCommand(1000, Operation, 40, "seq", 3, "idem"),
        new NextSequenceCommand(1000, null, 0, "seq", 1, null),
        new ReserveSequenceBlockCommand(1000, Operation, 40, "seq", 1000),
    ];

    [Theory]
    [MemberData(nameof(AllCommands))]
    public void EveryCommand_RoundTrips(IPartitionCommand command)
    {
        var decoded = PartitionCommandCodec.Decode(PartitionCommandCodec.Encode(command));

        Assert.Equal(command.GetType(), decoded.GetType());
        Assert.Equal(PartitionCommandCodec.Encode(command), PartitionCommandCodec.Encode(decoded));
        Assert.Equal(Describe(command), Describe(decoded));
    }

    // [tag, [timestamp, operation [high, low, sequence] | nil, floor, fields…]]: e.g. TryLock is
    // 92 01 96 CD03E8 93(CF… CF… 2A) 28 A3"res" C4020102 CD1388.
    // Golden bytes: these pin the on-disk format of the log. If one fails, the format changed: data already
    // written would no longer decode the same. Add new keys or tags instead of changing these.
    [Theory]
    [InlineData("tryLock", "920196CD03E893CF0102030405060708CF11121314151617182A28A3726573C4020102CD1388")]
    [InlineData("set", "921499CD03E8C000A36B6579C401766401C007")]
    [InlineData("next", "922896CD03E893CF0102030405060708CF11121314151617182A28A373657103A46964656D")]
    [InlineData("expireKeys", "921792CD03E892A26B31A26B32")]
    [InlineData("setMany", "921894CD03E8C0009293A16BC401760093A16CC400CD01F4")]
    [InlineData("deleteMany", "921994CD03E8C00092A16BA16C")]
    public void Encoding_IsPinned(string which, string expectedHex)
    {
        IPartitionCommand command = which switch
        {
            "tryLock" => new TryLockCommand(1000, Operation, 40, "res", [1, 2], 5000),
            "set" => new SetKeyValueCommand(1000, null, 0, "key", Encoding.ASCII.GetBytes("v"), 100, SetCondition.IfNotExists, null, 7),
            "next" => new NextSequenceCommand(1000, Operation, 40, "seq", 3, "idem"),
            "setMany" => new SetManyKeyValuesCommand(1000, null, 0, [new KeyValueWrite("k", Encoding.ASCII.GetBytes("v"), 0), new KeyValueWrite("l", [], 500)]),
            "deleteMany" => new DeleteManyKeyValuesCommand(1000, null, 0, ["k", "l"]),
            _ => new ExpireKeysCommand(1000, ["k1", "k2"]),
        };

        Assert.Equal(expectedHex, Convert.ToHexString(PartitionCommandCodec.Encode(command)));
    }

    [Fact]
    public void ADeleteWrittenBeforeItsCompareFields_DecodesAsAnUnconditionalDelete()
    {
        // [21, [1000, nil, 0, "key"]]: the four fields a delete had in the log before 1.1.0.
        var decoded = PartitionCommandCodec.Decode(Convert.FromHexString("921594CD03E8C000A36B6579"));

        Assert.Equal(new DeleteKeyValueCommand(1000, null, 0, "key"), decoded);
    }

    [Fact]
    public void Encoding_StartsWithTheUnionTag()
    {
        var reader = new MessagePackReader(PartitionCommandCodec.Encode(new UnlockCommand(1, null, 0, "r", [1])));

        Assert.Equal(2, reader.ReadArrayHeader());
        Assert.Equal(PartitionCommandTags.Unlock, reader.ReadInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("C0")]
    [InlineData("FF")]
    [InlineData("92CD270F90")]
    [InlineData("920193")]
    public void Garbage_DoesNotDecode(string hex)
    {
        Assert.False(PartitionCommandCodec.TryDecode(Convert.FromHexString(hex), out _, out var error));
        Assert.NotEmpty(error);
    }

    private static string Describe(IPartitionCommand command) =>
        MessagePackSerializer.SerializeToJson(command, MessagePackSerializerOptions.Standard);
}
