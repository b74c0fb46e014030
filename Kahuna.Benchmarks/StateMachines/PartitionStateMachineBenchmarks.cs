using BenchmarkDotNet.Attributes;
using Kahuna.Node.StateMachines;
using Kahuna.Node.StateMachines.Commands;
using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;

namespace Kahuna.Benchmarks;

/// <summary>
/// <see cref="PartitionStateMachine"/> as a replica drives it: <c>Apply(index, bytes)</c> of committed log entries
/// (decode + execute + garbage collection), and the leader's reads on the stores.
/// </summary>
/// <remarks>
/// Commands are encoded once in setup, as the log hands them over. They carry no operation id: a fixed encoded
/// command with one would be a duplicate from its second apply on and time the de-duplication shortcut instead.
/// <see cref="Execute_SetKeyValue_WithOperationId"/> covers the session table with a fresh id per operation.
/// </remarks>
[MemoryDiagnoser]
public class PartitionStateMachineBenchmarks
{
    private const int KeyCount = 1024; // a power of two: the rotating cursor is a mask
    private const long NowMs = 1_767_000_000_000;

    private readonly PartitionStateMachine _machine = new();
    private readonly string[] _keys = new string[KeyCount];
    private readonly byte[][] _setCommands = new byte[KeyCount][];
    private byte[] _value = [];
    private byte[] _tryLock = [], _unlock = [], _reserveBlock = [];
    private long _index;
    private long _sequence;
    private int _cursor;

    [GlobalSetup]
    public void Setup()
    {
        _value = new byte[128];
        new Random(3).NextBytes(_value);
        var owner = Guid.NewGuid().ToByteArray();
        for (var i = 0; i < KeyCount; i++)
        {
            _keys[i] = $"config/service-{i:D4}/feature";
            _setCommands[i] = PartitionCommandCodec.Encode(
                new SetKeyValueCommand(NowMs, null, 0, _keys[i], _value, 0, SetCondition.None, null, null));
            _machine.Apply(++_index, _setCommands[i]); // every key exists before a Get is timed
        }
        _tryLock = PartitionCommandCodec.Encode(new TryLockCommand(NowMs, null, 0, "jobs/nightly-report", owner, 30_000));
        _unlock = PartitionCommandCodec.Encode(new UnlockCommand(NowMs, null, 0, "jobs/nightly-report", owner));
        _reserveBlock = PartitionCommandCodec.Encode(new ReserveSequenceBlockCommand(NowMs, null, 0, "order-ids", 1000));
    }

    /// <summary>A committed 128 B set replayed onto one of 1024 existing keys (each keeps its bounded history).</summary>
    [Benchmark]
    public object? Apply_SetKeyValue() => _machine.Apply(++_index, _setCommands[Next()]);

    /// <summary>
    /// The same set with the operation id a client write carries, so the session table checks and remembers it.
    /// Executed as a command object (as decode would produce it) because each operation needs a new id.
    /// </summary>
    [Benchmark]
    public IPartitionResult Execute_SetKeyValue_WithOperationId()
    {
        var sequence = ++_sequence;
        var operation = new OperationId(0x6f1c2a8e3b444d0b, 0x9a5e2c7d8e9f0a1b, sequence);
        // CompletedBelow = this sequence: a client waiting for each answer lets the server forget the previous one.
        return _machine.Execute(new SetKeyValueCommand(
            NowMs, operation, sequence, _keys[Next()], _value, 0, SetCondition.None, null, null));
    }

    /// <summary>A leader read of a live key (no log, no state change).</summary>
    [Benchmark]
    public KeyValueResult Get() => _machine.KeyValues.Get(_keys[Next()], NowMs);

    /// <summary>Two committed commands: acquire a free lock (new fencing token), then release it.</summary>
    [Benchmark]
    public object? Apply_TryLockThenUnlock()
    {
        _machine.Apply(++_index, _tryLock);
        return _machine.Apply(++_index, _unlock);
    }

    /// <summary>The leader reserving a block of 1000 sequence values through the log.</summary>
    [Benchmark]
    public object? Apply_ReserveSequenceBlock() => _machine.Apply(++_index, _reserveBlock);

    private int Next() => _cursor++ & (KeyCount - 1);
}
