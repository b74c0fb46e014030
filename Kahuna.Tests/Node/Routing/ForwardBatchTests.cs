using System.Buffers;
using System.Runtime.Serialization;
using Akka.Actor;
using Kahuna.Node.Partitions;
using Kahuna.Node.Routing;
using Kahuna.Node.Serialization;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Node.Cluster;
using MessagePack;
using Xunit;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Tests.Node.Routing;

/// <summary>
/// Requests a node forwards to other nodes' leaders, and their answers, travel in batches: the batches survive
/// serialization item by item, a hostile batch size is refused, and a client that does not route to leaders gets
/// every answer right through them.
/// </summary>
public sealed class ForwardBatchSerializationTests : IDisposable
{
    private readonly ActorSystem _system = ActorSystem.Create("forward-batch-tests");

    public void Dispose() => _system.Terminate().Wait(TimeSpan.FromSeconds(10));

    [Fact]
    public void RequestAndReplyBatches_RoundTrip_ItemByItem()
    {
        var serializer = new NodeSerializer((ExtendedActorSystem)_system);
        var replyTo = _system.ActorOf(Props.Create(() => new Sink()), "router-sink");
        var requests = new PartitionRequestBatch([
            new ForwardedRequest("p-1", new PartitionRequest(7, new SetRequest { Key = "a", Value = [1, 2, 3] }, replyTo)),
            new ForwardedRequest("p-4", new PartitionRequest(8, new GetRequest { Key = "b" }, replyTo)),
        ]);
        var replies = new PartitionReplyBatch([
            new PartitionReply(7, new SetResponse { Status = KahunaStatus.Ok, Revision = 3 }, "n2"),
            new PartitionReply(8, new GetResponse { Status = KahunaStatus.NotFound }, null),
        ]);

        var requestsBack = (PartitionRequestBatch)serializer.FromBinary(serializer.ToBinary(requests), serializer.Manifest(requests));
        var repliesBack = (PartitionReplyBatch)serializer.FromBinary(serializer.ToBinary(replies), serializer.Manifest(replies));

        Assert.Equal(["p-1", "p-4"], requestsBack.Requests.Select(r => r.GroupId));
        Assert.Equal([7L, 8L], requestsBack.Requests.Select(r => r.Request.CorrelationId));
        Assert.All(requestsBack.Requests, r => Assert.Equal(replyTo.Path, r.Request.ReplyTo.Path));
        var set = Assert.IsType<SetRequest>(requestsBack.Requests[0].Request.Request);
        Assert.Equal("a", set.Key);
        Assert.Equal([1, 2, 3], set.Value);
        Assert.Equal("b", Assert.IsType<GetRequest>(requestsBack.Requests[1].Request.Request).Key);

        Assert.Equal([(7L, "n2"), (8L, null)], repliesBack.Replies.Select(r => (r.CorrelationId, r.LeaderHint)));
        Assert.Equal(3, Assert.IsType<SetResponse>(repliesBack.Replies[0].Response).Revision);
        Assert.Equal(KahunaStatus.NotFound, repliesBack.Replies[1].Response.Status);
    }

    [Fact]
    public void ABatchClaimingMoreItemsThanAnySenderSends_IsRefused()
    {
        var serializer = new NodeSerializer((ExtendedActorSystem)_system);
        var output = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(output);
        // Enough bytes follow for the claimed count (MessagePack itself refuses a count the bytes cannot hold).
        w.WriteArrayHeader(5_000);
        for (var i = 0; i < 5_000; i++) w.WriteNil();
        w.Flush();
        Assert.Throws<SerializationException>(() => serializer.FromBinary(output.WrittenSpan.ToArray(), "PRB"));
        Assert.Throws<SerializationException>(() => serializer.FromBinary(output.WrittenSpan.ToArray(), "PQB"));
    }

    [Fact]
    public void ARequestOfATypeThisNodeDoesNotKnow_BecomesUnsupported_AndTheRestOfTheBatchIsKept()
    {
        var serializer = new NodeSerializer((ExtendedActorSystem)_system);
        var replyTo = _system.ActorOf(Props.Create(() => new Sink()), "newer-router-sink");
        var batch = new PartitionRequestBatch([
            new ForwardedRequest("p-1", new PartitionRequest(7, new GetRequest { Key = "a" }, replyTo)),
            new ForwardedRequest("p-2", new PartitionRequest(8, new GetRequest { Key = "b" }, replyTo)),
        ]);
        var bytes = serializer.ToBinary(batch);
        // Rewrite the second envelope's request as a type a newer node would send: [8, [99, [1, "x"]]].
        var reader = new MessagePackReader(bytes);
        var output = new ArrayBufferWriter<byte>();
        var w = new MessagePackWriter(output);
        w.WriteArrayHeader(reader.ReadArrayHeader());
        for (var i = 0; i < 2; i++)
        {
            w.WriteArrayHeader(reader.ReadArrayHeader());
            w.Write(reader.ReadString());
            w.WriteArrayHeader(reader.ReadArrayHeader());
            w.Write(reader.ReadString());
            var envelope = reader.ReadBytes()!.Value.ToArray();
            w.Write(i == 0 ? envelope : [0x92, 0x08, 0x92, 0x63, 0x92, 0x01, 0xA1, 0x78]);
        }
        w.Flush();

        var back = (PartitionRequestBatch)serializer.FromBinary(output.WrittenSpan.ToArray(), serializer.Manifest(batch));

        Assert.Equal("a", Assert.IsType<GetRequest>(back.Requests[0].Request.Request).Key);
        Assert.Equal(8L, back.Requests[1].Request.CorrelationId);
        Assert.Equal(replyTo.Path, back.Requests[1].Request.ReplyTo.Path);
        Assert.Contains("unknown request type tag 99", Assert.IsType<UnsupportedRequest>(back.Requests[1].Request.Request).Problem);
    }

    private sealed class Sink : ReceiveActor;
}

[Collection("cluster")]
public sealed class ForwardBatchClusterTests
{
    [Fact]
    public async Task AClientThatDoesNotRouteToLeaders_GetsEveryAnswer_ThroughBatchedForwards()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 6);
        // Talk to a node that does not lead partition 0, so the keys of that partition at least are forwarded.
        var entry = await NodeNotLeadingAsync(cluster, partitionId: 0);
        await using var client = new KahunaClient(new KahunaClientOptions
        {
            Endpoints = [$"127.0.0.1:{entry.ClientEndPoint.Port}"],
            RouteToLeaders = false,
            RequestTimeout = TimeSpan.FromSeconds(20),
        });

        var keys = Enumerable.Range(0, 200).Select(i => $"fwd/{i}").ToArray();
        var sets = await Task.WhenAll(keys.Select(k => client.SetAsync(k, $"value of {k}")));
        Assert.All(sets, s => Assert.True(s.Succeeded));
        var gets = await Task.WhenAll(keys.Select(k => client.GetAsync(k)));
        Assert.Equal(keys.Select(k => $"value of {k}"), gets.Select(g => g.ValueAsString()));

        // Every attempt sent to another node went through the entry node's outboxes, and the answers came back
        // through the other nodes' outboxes.
        var forwarded = entry.Router.Forwarded;
        Assert.True(forwarded > 0, "keys of a partition led elsewhere must have been forwarded");
        var (batches, requests) = entry.Router.Forwards.RequestsSent;
        Assert.Equal(forwarded, requests);
        Assert.InRange(batches, 1, requests);
        var answers = cluster.Nodes.Where(n => n != entry).Sum(n => n.Router.Forwards.RepliesSent.Messages);
        Assert.InRange(answers, 1, requests);
    }

    [Fact]
    public async Task AReplica_AnswersARequestOfATypeItsNodeDoesNotKnow_Unsupported()
    {
        await using var cluster = await InProcessKahunaCluster.StartAsync(partitions: 2);
        var node = cluster.Nodes[0];
        var system = (ExtendedActorSystem)node.System;
        var answered = new TaskCompletionSource<PartitionReply>(TaskCreationOptions.RunContinuationsAsynchronously);
        var replyTo = system.ActorOf(Props.Create(() => new ReplyCapture(answered)));
        var inbox = system.Provider.ResolveActorRef(ForwardInbox.PathOn(system.Provider.DefaultAddress));

        // What the serializer makes of a newer node's request type (see the serialization test above).
        inbox.Tell(new PartitionRequestBatch([new ForwardedRequest(PartitionDescriptor.GroupIdOf(1),
            new PartitionRequest(5, new UnsupportedRequest("unknown request type tag 99"), replyTo))]));

        var reply = await answered.Task.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(5L, reply.CorrelationId);
        Assert.Equal(KahunaStatus.Unsupported, reply.Response.Status);
        Assert.Contains("unknown request type tag 99", reply.Response.Message);
    }

    private sealed class ReplyCapture : ReceiveActor
    {
        public ReplyCapture(TaskCompletionSource<PartitionReply> answered)
        {
            Receive<PartitionReply>(r => answered.TrySetResult(r));
            Receive<PartitionReplyBatch>(b => answered.TrySetResult(b.Replies[0]));
        }
    }

    private static async Task<Kahuna.Node.Hosting.KahunaNode> NodeNotLeadingAsync(InProcessKahunaCluster cluster, int partitionId)
    {
        await using var client = cluster.Client();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var status = await client.GetClusterStatusAsync();
            var leader = status.Partitions.Single(p => p.Id == partitionId).Leader;
            if (leader is not null) return cluster.Nodes.First(n => n.Options.NodeId != leader);
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"partition {partitionId} elected no leader in 30 s");
            await Task.Delay(50);
        }
    }
}
