using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using MessagePack;

namespace Kahuna.Tests.Node.StateMachines;

/// <summary>
/// A seeded stream of every kind of partition command over small keyspaces, with retries (repeated operation ids),
/// rising client floors and timestamps that mostly move forward but sometimes step back (a new leader's clock).
/// </summary>
internal sealed class RandomPartitionCommands(int seed)
{
    private readonly Random _random = new(seed);
    private readonly List<IWriteCommand> _sent = [];
    private readonly long[] _nextSequence = new long[4];
    private long _timestamp = 1_000_000;

    public IPartitionCommand Next()
    {
        _timestamp += _random.Next(-20, 200);
        if (_sent.Count > 0 && _random.Next(10) == 0)
        {
            return _sent[_random.Next(_sent.Count)]; // a retry, possibly long after
        }

        var client = _random.Next(_nextSequence.Length);
        var operation = _random.Next(8) == 0 ? (OperationId?)null : new OperationId((ulong)client, 7, ++_nextSequence[client]);
        var floor = Math.Max(0, _nextSequence[client] - _random.Next(1, 6));
        var key = "k" + _random.Next(12);
        var owner = new[] { (byte)_random.Next(1, 3) };
        IPartitionCommand command = _random.Next(15) switch
        {
            0 or 1 => new TryLockCommand(_timestamp, operation, floor, key, owner, _random.Next(1, 600)),
            2 => new ExtendLockCommand(_timestamp, operation, floor, key, owner, _random.Next(1, 600)),
            3 => new UnlockCommand(_timestamp, operation, floor, key, owner),
            4 => new ExpireLocksCommand(_timestamp, [key, "k" + _random.Next(12)]),
            5 or 6 => new SetKeyValueCommand(
                _timestamp, operation, floor, key, [(byte)_random.Next(3)], _random.Next(2) * _random.Next(1, 500),
                (SetCondition)_random.Next(3), _random.Next(4) == 0 ? [(byte)_random.Next(3)] : null,
                _random.Next(4) == 0 ? _random.Next(1, 50) : null),
            7 => new DeleteKeyValueCommand(_timestamp, operation, floor, key,
                _random.Next(4) == 0 ? [(byte)_random.Next(3)] : null, _random.Next(4) == 0 ? _random.Next(1, 50) : null),
            8 => new ExtendKeyValueCommand(_timestamp, operation, floor, key, _random.Next(0, 500)),
            9 => new ExpireKeysCommand(_timestamp, [key]),
            10 => new NextSequenceCommand(_timestamp, operation, floor, "s" + _random.Next(3), _random.Next(1, 5),
                _random.Next(3) == 0 ? "idem" + _random.Next(5) : null),
            11 => new SetManyKeyValuesCommand(_timestamp, operation, floor,
                [new KeyValueWrite(key, [(byte)_random.Next(3)], _random.Next(2) * _random.Next(1, 500)), new KeyValueWrite("k" + _random.Next(12), [], 0)]),
            12 => new DeleteManyKeyValuesCommand(_timestamp, operation, floor, [key, "k" + _random.Next(12)]),
            _ => new ReserveSequenceBlockCommand(_timestamp, operation, floor, "s" + _random.Next(3), _random.Next(1, 100)),
        };
        if (command is IWriteCommand write)
        {
            _sent.Add(write);
        }

        return command;
    }

    public static byte[] Bytes(object? result) =>
        result is null ? [] : MessagePackSerializer.Serialize((IPartitionResult)result, MessagePackSerializerOptions.Standard);
}
