using System.Text;
using Akka.Actor;
using Kahuna.Raft.Core;
using Kahuna.Raft.Persistence;
using Kahuna.Raft.Serialization;
using Xunit;
using static Kahuna.Raft.Actors.RaftReplicaProtocol;

namespace Kahuna.Tests.Raft.Actors;

/// <summary>Every Raft message survives the wire format, alone and coalesced in a batch.</summary>
public sealed class RaftSerializerTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("raft-serializer-tests");
    private readonly RaftSerializer _serializer;

    public RaftSerializerTests() => _serializer = new RaftSerializer((ExtendedActorSystem)_system);

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    private static readonly RaftConfiguration Config = new(["n1", "n2", "n3"], ["n4"]);

    public static IEnumerable<object[]> Messages()
    {
        var entries = new List<LogEntry>
        {
            new(5, 2, Encoding.UTF8.GetBytes("set a=1")),
            new(6, 2, ReadOnlyMemory<byte>.Empty, Config),
        };
        yield return [new VoteRequest("n1", "n2", 3, 10, 2, PreVote: true, Transfer: false)];
        yield return [new VoteResponse("n2", "n1", 3, Granted: true, PreVote: true)];
        yield return [new AppendRequest("n1", "n2", 3, 4, 2, entries, 4)];
        yield return [new AppendRequest("n1", "n2", 3, 4, 2, entries, 4, ReadContext: 9)];
        yield return [new AppendResponse("n2", "n1", 3, Success: false, 6, 3, 1)];
        yield return [new AppendResponse("n2", "n1", 3, Success: true, 6, 0, 0, ReadContext: 9)];
        yield return [new HeartbeatRequest("n1", "n3", 3, 6, 42)];
        yield return [new HeartbeatRequest("n1", "n3", 3, 6, 42, CommitTerm: 2)];
        yield return [new HeartbeatResponse("n3", "n1", 3, 42)];
        yield return [new HeartbeatResponse("n3", "n1", 3, 42, Rewind: 4)];
        yield return [new TimeoutNowRequest("n1", "n2", 3)];
    }

    [Theory]
    [MemberData(nameof(Messages))]
    public void Envelope_RoundTrips(RaftMessage message)
    {
        var envelope = new RaftEnvelope("p7", message);
        var back = (RaftEnvelope)RoundTrip(envelope);
        Assert.Equal("p7", back.GroupId);
        AssertSame(message, back.Message);
    }

    [Fact]
    public void Batch_KeepsEveryEnvelope_InOrder()
    {
        var envelopes = Messages().Select((m, i) => new RaftEnvelope($"p{i}", (RaftMessage)m[0])).ToList();
        var back = (RaftEnvelopeBatch)RoundTrip(new RaftEnvelopeBatch(envelopes));
        Assert.Equal(envelopes.Count, back.Envelopes.Count);
        for (var i = 0; i < envelopes.Count; i++)
        {
            Assert.Equal(envelopes[i].GroupId, back.Envelopes[i].GroupId);
            AssertSame(envelopes[i].Message, back.Envelopes[i].Message);
        }
        Assert.Empty(((RaftEnvelopeBatch)RoundTrip(new RaftEnvelopeBatch([]))).Envelopes);
    }

    [Fact]
    public void Heartbeats_FromNodesThatPredateTheirNewerFields_DecodeWithDefaults()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        // Tag 5 (request) with commit and read context only; tag 6 (response) with the read context only.
        w.WriteArrayHeader(6); w.Write((byte)5); w.Write("n1"); w.Write("n3"); w.Write(3L); w.Write(6L); w.Write(42L);
        w.WriteArrayHeader(5); w.Write((byte)6); w.Write("n3"); w.Write("n1"); w.Write(3L); w.Write(42L);
        w.Flush();
        var r = new MessagePack.MessagePackReader(buffer.WrittenMemory);
        Assert.Equal(new HeartbeatRequest("n1", "n3", 3, 6, 42, CommitTerm: 0), RaftCodec.ReadMessage(ref r));
        Assert.Equal(new HeartbeatResponse("n3", "n1", 3, 42, Rewind: -1), RaftCodec.ReadMessage(ref r));
    }

    [Fact]
    public void Appends_FromNodesThatPredateTheReadContext_DecodeWithoutOne()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(buffer);
        // Tag 3 (request): prev index, prev term, no entries, commit. Tag 4 (response): success, index, hint, hint term.
        w.WriteArrayHeader(8); w.Write((byte)3); w.Write("n1"); w.Write("n2"); w.Write(3L); w.Write(4L); w.Write(2L);
        RaftCodec.WriteEntries(ref w, []); w.Write(4L);
        w.WriteArrayHeader(8); w.Write((byte)4); w.Write("n2"); w.Write("n1"); w.Write(3L); w.Write(true); w.Write(6L); w.Write(0L); w.Write(0L);
        w.Flush();
        var r = new MessagePack.MessagePackReader(buffer.WrittenMemory);
        var request = Assert.IsType<AppendRequest>(RaftCodec.ReadMessage(ref r));
        Assert.Equal((4L, 2L, 4L, 0L), (request.PrevLogIndex, request.PrevLogTerm, request.Commit, request.ReadContext));
        Assert.Equal(new AppendResponse("n2", "n1", 3, true, 6, 0, 0, ReadContext: 0), RaftCodec.ReadMessage(ref r));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(200)]
    [InlineData(300_000)] // past the 64 KiB where MessagePack switches to a 4-byte length
    public void Checkpoint_AssembledAtExactSize_IsTheGenericEncoding_AndRoundTrips(int stateBytes)
    {
        var state = new byte[stateBytes];
        new Random(stateBytes).NextBytes(state);
        var tail = new List<LogEntry> { new(41, 3, Encoding.UTF8.GetBytes("set b=2")), new(42, 3, ReadOnlyMemory<byte>.Empty, Config) };
        var checkpoint = new ReplicaCheckpoint(new HardState(3, "n2", 40), new SnapshotMetadata(40, 3, Config), state, tail);

        var bytes = _serializer.ToBinary(checkpoint);

        var generic = new System.Buffers.ArrayBufferWriter<byte>();
        var w = new MessagePack.MessagePackWriter(generic);
        RaftSerializer.Write(ref w, checkpoint);
        w.Flush();
        Assert.Equal(generic.WrittenSpan.ToArray(), bytes);
        var back = Assert.IsType<ReplicaCheckpoint>(_serializer.FromBinary(bytes, _serializer.Manifest(checkpoint)));
        Assert.Equal((checkpoint.HardState, checkpoint.Snapshot.Index, checkpoint.Snapshot.Term), (back.HardState, back.Snapshot.Index, back.Snapshot.Term));
        Assert.Equal(state, back.StateMachine.ToArray());
        Assert.Equal(tail.Select(e => (e.Index, e.Term)), back.Tail.Select(e => (e.Index, e.Term)));
        Assert.Equal(Config.Voters, back.Tail[1].Configuration?.Voters);
    }

    private object RoundTrip(object message) =>
        _serializer.FromBinary(_serializer.ToBinary(message), _serializer.Manifest(message));

    /// <summary>Records compare lists and byte memories by reference, so entries are compared field by field.</summary>
    private static void AssertSame(RaftMessage expected, RaftMessage actual)
    {
        if (expected is AppendRequest a)
        {
            var b = Assert.IsType<AppendRequest>(actual);
            Assert.Equal(a with { Entries = [] }, b with { Entries = [] });
            Assert.Equal(a.Entries.Count, b.Entries.Count);
            for (var i = 0; i < a.Entries.Count; i++)
            {
                Assert.Equal((a.Entries[i].Index, a.Entries[i].Term), (b.Entries[i].Index, b.Entries[i].Term));
                Assert.Equal(a.Entries[i].Data.ToArray(), b.Entries[i].Data.ToArray());
                Assert.Equal(a.Entries[i].Configuration?.Voters, b.Entries[i].Configuration?.Voters);
                Assert.Equal(a.Entries[i].Configuration?.Learners, b.Entries[i].Configuration?.Learners);
            }
            return;
        }
        Assert.Equal(expected, actual);
    }
}
