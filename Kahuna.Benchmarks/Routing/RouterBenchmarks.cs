using Akka.Actor;
using Akka.Configuration;
using BenchmarkDotNet.Attributes;
using Kahuna.Node.Cluster;
using Kahuna.Node.Network;
using Kahuna.Node.Partitions;
using Kahuna.Node.Routing;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Raft.Actors;
using static Kahuna.Node.Partitions.PartitionProtocol;

namespace Kahuna.Benchmarks;

/// <summary>
/// The node router's own cost per request: 64 callers each routing gets through one <see cref="PartitionRouter"/> to a
/// stand-in replica actor (at the replica's path) that answers every request at once with the same reply. What is left
/// is the router's work (admission, the partition of the key, the leader hint, the attempt's wait and deadline, the
/// async steps) plus one actor message each way. Allocations count the whole process.
/// </summary>
[MemoryDiagnoser]
public class RouterBenchmarks
{
    private const int Callers = 64;
    private const int CallsPerCaller = 200;

    private ActorSystem _system = null!;
    private PartitionRouter _router = null!;
    private RequestContext _context = null!;

    [GlobalSetup]
    public void Setup()
    {
        _system = ActorSystem.Create("bench", ConfigurationFactory.ParseString("akka.loglevel = WARNING"));
        var map = PartitionMap.CreateStatic(["n1"], partitions: 1, replicationFactor: 1);
        var self = ((ExtendedActorSystem)_system).Provider.DefaultAddress;
        _system.ActorOf(Props.Create(() => new StandInHost(map.Partitions[0].GroupId)), RaftHostProtocol.Name);
        _router = new PartitionRouter(_system, "n1", map, new NodeDirectory("n1", self), new RouterSettings());
        _context = new RequestContext(1, null, "bench", null);
    }

    [GlobalCleanup]
    public async Task Cleanup()
    {
        _router.Dispose();
        await _system.Terminate();
    }

    [Benchmark(OperationsPerInvoke = Callers * CallsPerCaller)]
    public async Task RoutedGet()
    {
        var callers = new Task[Callers];
        for (var i = 0; i < Callers; i++)
            callers[i] = CallAsync(new GetRequest { Key = "bench/key-" + i, Durability = Durability.Ephemeral });
        await Task.WhenAll(callers);
    }

    private async Task CallAsync(GetRequest request)
    {
        for (var i = 0; i < CallsPerCaller; i++)
        {
            var response = await _router.HandleAsync(request, _context, CancellationToken.None).ConfigureAwait(false);
            if (response.Status != KahunaStatus.Ok)
                throw new InvalidOperationException($"the stand-in replica always answers Ok, got {response.Status}");
        }
    }

    /// <summary>The node's raft host stand-in: one child at the partition's replica path that answers at once.</summary>
    private sealed class StandInHost : ReceiveActor
    {
        public StandInHost(string groupId)
        {
            Context.ActorOf(Props.Create(() => new StandInReplica()), groupId);
        }
    }

    private sealed class StandInReplica : ReceiveActor
    {
        private static readonly GetResponse Found = new() { Status = KahunaStatus.Ok, Value = new byte[128], Revision = 7 };

        public StandInReplica()
        {
            Receive<PartitionRequest>(r => r.ReplyTo.Tell(new PartitionReply(r.CorrelationId, Found, null), ActorRefs.NoSender));
        }
    }
}
