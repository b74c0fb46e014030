using BenchmarkDotNet.Attributes;
using Kahuna.Raft.Core;
using Kahuna.Raft.Serialization;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Benchmarks;

/// <summary>The Raft messages that cross the wire between nodes.</summary>
public enum RaftWireMessage
{
    /// <summary>AppendEntries carrying one ~200 B entry (a lightly loaded group).</summary>
    Append1,
    /// <summary>AppendEntries carrying 32 entries of ~200 B (a busy group's batched Ready).</summary>
    Append32,
    /// <summary>A follower's acknowledgement of an append.</summary>
    AppendResponse,
    /// <summary>A leader heartbeat with a read context (sent every tick to every follower of every group).</summary>
    Heartbeat,
}

/// <summary>
/// <see cref="RaftSerializer"/> (Akka's serializer for everything Raft sends between nodes) on the envelopes a
/// replica actor sends: ToBinary on the sending node, FromBinary on the receiving one.
/// </summary>
[MemoryDiagnoser]
public class RaftSerializerBenchmarks
{
    private const string GroupId = "partition-17";
    private const int EntryBytes = 200;

    // ToBinary and FromBinary never touch the actor system; starting one would only add its scheduler's threads
    // to the measurement, so the serializer is built without one.
    private readonly RaftSerializer _serializer = new(null!);

    private RaftEnvelope _envelope = null!;
    private byte[] _bytes = [];
    private string _manifest = "";

    [Params(RaftWireMessage.Append1, RaftWireMessage.Append32, RaftWireMessage.AppendResponse, RaftWireMessage.Heartbeat)]
    public RaftWireMessage Message { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _envelope = new RaftEnvelope(GroupId, Build(Message));
        _manifest = _serializer.Manifest(_envelope);
        _bytes = _serializer.ToBinary(_envelope);
    }

    [Benchmark]
    public byte[] ToBinary() => _serializer.ToBinary(_envelope);

    [Benchmark]
    public object FromBinary() => _serializer.FromBinary(_bytes, _manifest);

    private static RaftMessage Build(RaftWireMessage message) => message switch
    {
        RaftWireMessage.Append1 => Append(1),
        RaftWireMessage.Append32 => Append(32),
        RaftWireMessage.AppendResponse => new AppendResponse("node-2", "node-1", 7, true, 100_032, 0, 0),
        RaftWireMessage.Heartbeat => new HeartbeatRequest("node-1", "node-2", 7, 100_000, 5_123),
        _ => throw new ArgumentOutOfRangeException(nameof(message)),
    };

    private static AppendRequest Append(int entries)
    {
        const long prevIndex = 100_000, term = 7;
        var random = new Random(17);
        var list = new List<LogEntry>(entries);
        for (var i = 1; i <= entries; i++)
        {
            var data = new byte[EntryBytes];
            random.NextBytes(data);
            list.Add(new LogEntry(prevIndex + i, term, data));
        }
        return new AppendRequest("node-1", "node-2", term, prevIndex, term, list, prevIndex);
    }
}
