using Kahuna.Protocol;
using Kahuna.Protocol.Messages;

namespace Kahuna.Tests.Protocol.Messages;

/// <summary>One instance of every message type with every field set to a non-default value.</summary>
internal static class MessageSamples
{
    private static readonly OperationId Operation = OperationId.Create(Guid.Parse("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), 42);

    public static readonly KahunaRequest[] Requests =
    [
        new HelloRequest { ProtocolVersion = 1, ClientName = "app", Credential = "secret" },
        new PingRequest(),
        new TryLockRequest { OperationId = Operation, CompletedBelow = 40, Resource = "res", Owner = [1, 2, 3], LeaseMs = 5000, Durability = Durability.Ephemeral },
        new ExtendLockRequest { OperationId = Operation, CompletedBelow = 40, Resource = "res", Owner = [1, 2, 3], LeaseMs = 7000, Durability = Durability.Persistent },
        new UnlockRequest { OperationId = Operation, CompletedBelow = 40, Resource = "res", Owner = [1, 2, 3], Durability = Durability.Persistent },
        new GetLockRequest { Resource = "res", Durability = Durability.Ephemeral },
        new SetRequest
        {
            OperationId = Operation, CompletedBelow = 40, Key = "k", Value = [9, 8], TtlMs = 60_000, Flags = SetFlags.IfExists,
            CompareValue = [7], CompareRevision = 3, Durability = Durability.Persistent,
        },
        new GetRequest { Key = "k", AtRevision = 2, Durability = Durability.Ephemeral },
        new ExistsRequest { Key = "k", Durability = Durability.Ephemeral },
        new DeleteRequest { OperationId = Operation, CompletedBelow = 40, Key = "k", Durability = Durability.Ephemeral, CompareValue = [7], CompareRevision = 3 },
        new ExtendRequest { OperationId = Operation, CompletedBelow = 40, Key = "k", TtlMs = 1000, Durability = Durability.Ephemeral },
        new SetManyRequest { OperationId = Operation, CompletedBelow = 40, Items = [new SetManyItem { Key = "a", Value = [1], TtlMs = 10 }], Durability = Durability.Ephemeral },
        new GetManyRequest { Keys = ["a", "b"], Durability = Durability.Ephemeral },
        new DeleteManyRequest { OperationId = Operation, CompletedBelow = 40, Keys = ["a", "b"], Durability = Durability.Ephemeral },
        new ScanRequest { Prefix = "user/", StartAfter = "user/7", Limit = 50, Durability = Durability.Ephemeral, KeysOnly = true },
        new NextSequenceRequest { OperationId = Operation, CompletedBelow = 40, Name = "orders", Count = 10, IdempotencyKey = "batch-7" },
        new ClusterStatusRequest(),
        new TransferLeaderRequest { PartitionId = 3, TargetNodeId = "n2" },
        new FaultInjectionRequest { Action = FaultInjectionAction.TransferLeadership, NodeIds = ["n3"], PartitionId = 2 },
    ];

    public static readonly KahunaResponse[] Responses =
    [
        new HelloReply { Status = KahunaStatus.InvalidInput, Message = "m", ProtocolVersion = 1, NodeId = "n1" },
        new PingReply { Status = KahunaStatus.Retry, Message = "m" },
        new ErrorResponse { Status = KahunaStatus.ProtocolError, Message = "bad" },
        new TryLockResponse { Status = KahunaStatus.Busy, Message = "m", FencingToken = 12, ExpiresAtUnixMs = 1_700_000_000_000 },
        new ExtendLockResponse { Status = KahunaStatus.NotOwner, Message = "m", FencingToken = 12, ExpiresAtUnixMs = 1_700_000_000_001 },
        new UnlockResponse { Status = KahunaStatus.NotFound, Message = "m" },
        new GetLockResponse { Status = KahunaStatus.NotFound, Message = "m", Owner = [4, 5], ExpiresAtUnixMs = 1_700_000_000_002, FencingToken = 13 },
        new SetResponse { Status = KahunaStatus.PreconditionFailed, Message = "m", Revision = 5 },
        new GetResponse { Status = KahunaStatus.NotFound, Message = "m", Value = [1], Revision = 6, ExpiresAtUnixMs = 1_700_000_000_003 },
        new ExistsResponse { Status = KahunaStatus.NotFound, Message = "m", Revision = 7, ExpiresAtUnixMs = 1_700_000_000_004 },
        new DeleteResponse { Status = KahunaStatus.NotFound, Message = "m", Revision = 8 },
        new ExtendResponse { Status = KahunaStatus.NotFound, Message = "m", Revision = 9, ExpiresAtUnixMs = 1_700_000_000_005 },
        new SetManyResponse { Status = KahunaStatus.Ok, Message = "m", Revisions = [12, 13] },
        new DeleteManyResponse { Status = KahunaStatus.Ok, Message = "m", Revisions = [14, 0] },
        new GetManyResponse
        {
            Status = KahunaStatus.Ok, Message = "m",
            Items = [new GetManyItem { Status = KahunaStatus.Ok, Value = [5], Revision = 11, ExpiresAtUnixMs = 1_700_000_000_007 }],
        },
        new ScanResponse
        {
            Status = KahunaStatus.Ok, Message = "m", NextStartAfter = "user/9",
            Items = [new ScanItem { Key = "user/8", Value = [3, 4], Revision = 10, ExpiresAtUnixMs = 1_700_000_000_006 }],
        },
        new NextSequenceResponse { Status = KahunaStatus.Overloaded, Message = "m", Start = 100, Count = 10 },
        new ClusterStatusResponse
        {
            Status = KahunaStatus.Ok, Message = "m", NodeId = "n2", MapGeneration = 3,
            Members = [new ClusterMemberInfo { NodeId = "n1", Address = "akka.tcp://kahuna@10.0.0.1:7170", ClientEndpoint = "10.0.0.1:7070", Version = "1.1.0" }],
            Partitions = [new PartitionInfo { Id = 1, RangeStart = "0000000000000000", RangeEnd = "7fffffffffffffff", Replicas = ["n1", "n2"],
                Leader = "n1", Term = 4, CommitIndex = 99, AppliedIndex = 98, LocalRole = "Follower", LostEntriesUpTo = 97 }],
        },
        new TransferLeaderResponse { Status = KahunaStatus.Ok, Message = "m", PreviousLeader = "n1" },
        new FaultInjectionResponse { Status = KahunaStatus.Ok, Message = "m", Applied = ["n2", "n3"] },
    ];
}
