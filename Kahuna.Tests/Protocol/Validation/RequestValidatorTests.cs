using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Validation;
using Xunit;

namespace Kahuna.Tests.Protocol.Validation;

public class RequestValidatorTests
{
    private static readonly OperationId Op = OperationId.Create(Guid.NewGuid(), 10);
    private static readonly string MaxKey = new('k', ProtocolLimits.MaxKeyBytes);
    private static readonly string OverKey = new('k', ProtocolLimits.MaxKeyBytes + 1);
    // 1366 three-byte characters = 4098 UTF-8 bytes although only 1366 UTF-16 chars.
    private static readonly string OverKeyMultiByte = new('€', 1366);

    private static TryLockRequest Lock => new() { OperationId = Op, CompletedBelow = 5, Resource = "r", Owner = [1], LeaseMs = 1000, Durability = Durability.Persistent };
    private static SetRequest Set => new() { OperationId = Op, CompletedBelow = 5, Key = "k", Value = [1], Durability = Durability.Persistent };

    private static void Valid(KahunaRequest request)
    {
        var result = RequestValidator.Validate(request);
        Assert.True(result.IsValid, result.Message);
    }

    private static void Rejected(KahunaRequest request, KahunaStatus status, string field)
    {
        var result = RequestValidator.Validate(request);
        Assert.Equal(status, result.Status);
        Assert.StartsWith(field, result.Message);
    }

    [Fact]
    public void Samples_AreValid()
    {
        foreach (var request in Messages.MessageSamples.Requests)
            Valid(request);
    }

    [Fact]
    public void NullRequest_IsInvalid() => Assert.Equal(KahunaStatus.InvalidInput, RequestValidator.Validate((KahunaRequest?)null).Status);

    // ---- Hello ----
    [Fact]
    public void Hello_NonPositiveVersion_IsInvalid() => Rejected(new HelloRequest { ProtocolVersion = 0 }, KahunaStatus.InvalidInput, "ProtocolVersion");

    [Fact]
    public void Hello_LongClientName_IsTooLarge() =>
        Rejected(new HelloRequest { ProtocolVersion = 1, ClientName = new string('c', ProtocolLimits.MaxClientNameBytes + 1) }, KahunaStatus.TooLarge, "ClientName");

    [Fact]
    public void Hello_LongCredential_IsTooLarge() =>
        Rejected(new HelloRequest { ProtocolVersion = 1, Credential = new string('c', ProtocolLimits.MaxCredentialBytes + 1) }, KahunaStatus.TooLarge, "Credential");

    // ---- operation id (every write) ----
    [Fact]
    public void Write_WithoutOperationId_IsInvalid() => Rejected(Lock with { OperationId = default }, KahunaStatus.InvalidInput, "OperationId");

    [Fact]
    public void Write_WithZeroSequence_IsInvalid() =>
        Rejected(Lock with { OperationId = Op with { Sequence = 0 }, CompletedBelow = 0 }, KahunaStatus.InvalidInput, "OperationId.Sequence");

    [Theory]
    [InlineData(-1)]
    [InlineData(11)]
    public void Write_CompletedBelowOutsideZeroToSequence_IsInvalid(long completedBelow) =>
        Rejected(Lock with { CompletedBelow = completedBelow }, KahunaStatus.InvalidInput, "CompletedBelow");

    [Theory]
    [InlineData(0)]
    [InlineData(10)]
    public void Write_CompletedBelowAtBounds_IsValid(long completedBelow) => Valid(Lock with { CompletedBelow = completedBelow });

    [Fact]
    public void EveryWriteType_ChecksTheOperationId()
    {
        foreach (var write in Messages.MessageSamples.Requests.OfType<KahunaWriteRequest>())
            Rejected(write with { OperationId = default }, KahunaStatus.InvalidInput, "OperationId");
    }

    // ---- names: resource, key, sequence name ----
    [Fact]
    public void Name_AtLimit_IsValid()
    {
        Valid(Lock with { Resource = MaxKey });
        Valid(Set with { Key = MaxKey });
        Valid(new NextSequenceRequest { OperationId = Op, Name = MaxKey, Count = 1 });
    }

    [Fact]
    public void Name_OverLimit_IsTooLarge()
    {
        Rejected(Lock with { Resource = OverKey }, KahunaStatus.TooLarge, "Resource");
        Rejected(Set with { Key = OverKey }, KahunaStatus.TooLarge, "Key");
        Rejected(new GetRequest { Key = OverKey, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Key");
        Rejected(new NextSequenceRequest { OperationId = Op, Name = OverKey, Count = 1 }, KahunaStatus.TooLarge, "Name");
    }

    [Fact]
    public void Name_OverLimitInUtf8Bytes_IsTooLarge() => Rejected(Set with { Key = OverKeyMultiByte }, KahunaStatus.TooLarge, "Key");

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    public void Name_Empty_IsInvalid(string? name)
    {
        Rejected(Lock with { Resource = name! }, KahunaStatus.InvalidInput, "Resource");
        Rejected(new ExtendLockRequest { OperationId = Op, Resource = name!, Owner = [1], LeaseMs = 1, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Resource");
        Rejected(new UnlockRequest { OperationId = Op, Resource = name!, Owner = [1], Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Resource");
        Rejected(new GetLockRequest { Resource = name!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Resource");
        Rejected(Set with { Key = name! }, KahunaStatus.InvalidInput, "Key");
        Rejected(new GetRequest { Key = name!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Key");
        Rejected(new ExistsRequest { Key = name!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Key");
        Rejected(new DeleteRequest { OperationId = Op, Key = name!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Key");
        Rejected(new ExtendRequest { OperationId = Op, Key = name!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Key");
        Rejected(new NextSequenceRequest { OperationId = Op, Name = name!, Count = 1 }, KahunaStatus.InvalidInput, "Name");
    }

    [Fact]
    public void Delete_CompareFields_AreCheckedLikeASets()
    {
        var delete = new DeleteRequest { OperationId = Op, Key = "k", Durability = Durability.Persistent };
        Valid(delete with { CompareValue = [1], CompareRevision = 3 });
        Rejected(delete with { CompareRevision = 0 }, KahunaStatus.InvalidInput, "CompareRevision");
        Rejected(delete with { CompareValue = new byte[ProtocolLimits.MaxValueBytes + 1] }, KahunaStatus.TooLarge, "CompareValue");
    }

    // ---- owner ----
    [Fact]
    public void Owner_AtLimit_IsValid() => Valid(Lock with { Owner = new byte[ProtocolLimits.MaxOwnerBytes] });

    [Fact]
    public void Owner_OverLimit_IsTooLarge()
    {
        var owner = new byte[ProtocolLimits.MaxOwnerBytes + 1];
        Rejected(Lock with { Owner = owner }, KahunaStatus.TooLarge, "Owner");
        Rejected(new ExtendLockRequest { OperationId = Op, Resource = "r", Owner = owner, LeaseMs = 1, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Owner");
        Rejected(new UnlockRequest { OperationId = Op, Resource = "r", Owner = owner, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Owner");
    }

    [Fact]
    public void Owner_EmptyOrNull_IsInvalid()
    {
        Rejected(Lock with { Owner = [] }, KahunaStatus.InvalidInput, "Owner");
        Rejected(Lock with { Owner = null! }, KahunaStatus.InvalidInput, "Owner");
    }

    // ---- lease ----
    [Theory]
    [InlineData(ProtocolLimits.MinLeaseMs)]
    [InlineData(ProtocolLimits.MaxLeaseMs)]
    public void Lease_AtBounds_IsValid(long leaseMs)
    {
        Valid(Lock with { LeaseMs = leaseMs });
        Valid(new ExtendLockRequest { OperationId = Op, Resource = "r", Owner = [1], LeaseMs = leaseMs, Durability = Durability.Persistent });
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    [InlineData(ProtocolLimits.MaxLeaseMs + 1)]
    public void Lease_OutOfRange_IsInvalid(long leaseMs)
    {
        Rejected(Lock with { LeaseMs = leaseMs }, KahunaStatus.InvalidInput, "LeaseMs");
        Rejected(new ExtendLockRequest { OperationId = Op, Resource = "r", Owner = [1], LeaseMs = leaseMs, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "LeaseMs");
    }

    // ---- durability (lesson: a missing field must never mean ephemeral) ----
    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(255)]
    public void Durability_ZeroOrUnknown_IsInvalidForEveryRequestThatHasIt(int value)
    {
        var durability = (Durability)value;
        Rejected(Lock with { Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new ExtendLockRequest { OperationId = Op, Resource = "r", Owner = [1], LeaseMs = 1, Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new UnlockRequest { OperationId = Op, Resource = "r", Owner = [1], Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new GetLockRequest { Resource = "r", Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(Set with { Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new GetRequest { Key = "k", Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new ExistsRequest { Key = "k", Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new DeleteRequest { OperationId = Op, Key = "k", Durability = durability }, KahunaStatus.InvalidInput, "Durability");
        Rejected(new ExtendRequest { OperationId = Op, Key = "k", Durability = durability }, KahunaStatus.InvalidInput, "Durability");
    }

    // ---- value ----
    [Fact]
    public void Value_AtLimitOrEmpty_IsValid()
    {
        Valid(Set with { Value = new byte[ProtocolLimits.MaxValueBytes] });
        Valid(Set with { Value = [] });
    }

    [Fact]
    public void Value_OverLimit_IsTooLarge() => Rejected(Set with { Value = new byte[ProtocolLimits.MaxValueBytes + 1] }, KahunaStatus.TooLarge, "Value");

    [Fact]
    public void Value_Null_IsInvalid() => Rejected(Set with { Value = null! }, KahunaStatus.InvalidInput, "Value");

    [Fact]
    public void CompareValue_OverLimit_IsTooLarge() =>
        Rejected(Set with { CompareValue = new byte[ProtocolLimits.MaxValueBytes + 1] }, KahunaStatus.TooLarge, "CompareValue");

    // ---- TTL ----
    [Theory]
    [InlineData(0)]
    [InlineData(ProtocolLimits.MaxTtlMs)]
    public void Ttl_AtBounds_IsValid(long ttlMs)
    {
        Valid(Set with { TtlMs = ttlMs });
        Valid(new ExtendRequest { OperationId = Op, Key = "k", TtlMs = ttlMs, Durability = Durability.Persistent });
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(ProtocolLimits.MaxTtlMs + 1)]
    public void Ttl_OutOfRange_IsInvalid(long ttlMs)
    {
        Rejected(Set with { TtlMs = ttlMs }, KahunaStatus.InvalidInput, "TtlMs");
        Rejected(new ExtendRequest { OperationId = Op, Key = "k", TtlMs = ttlMs, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "TtlMs");
    }

    // ---- set conditions ----
    [Fact]
    public void Flags_UnknownBits_AreInvalid() => Rejected(Set with { Flags = (SetFlags)4 }, KahunaStatus.InvalidInput, "Flags");

    [Fact]
    public void Flags_IfExistsAndIfNotExists_AreInvalidTogether() =>
        Rejected(Set with { Flags = SetFlags.IfExists | SetFlags.IfNotExists }, KahunaStatus.InvalidInput, "Flags");

    [Fact]
    public void Flags_IfNotExistsWithACompare_IsInvalid()
    {
        Rejected(Set with { Flags = SetFlags.IfNotExists, CompareRevision = 1 }, KahunaStatus.InvalidInput, "Flags");
        Rejected(Set with { Flags = SetFlags.IfNotExists, CompareValue = [1] }, KahunaStatus.InvalidInput, "Flags");
    }

    [Fact]
    public void Flags_IfExistsWithACompare_IsValid() => Valid(Set with { Flags = SetFlags.IfExists, CompareRevision = 1, CompareValue = [1] });

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public void CompareRevision_BelowOne_IsInvalid(long revision) => Rejected(Set with { CompareRevision = revision }, KahunaStatus.InvalidInput, "CompareRevision");

    // ---- get at revision ----
    [Fact]
    public void AtRevision_Negative_IsInvalid() => Rejected(new GetRequest { Key = "k", AtRevision = -1, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "AtRevision");

    [Fact]
    public void AtRevision_ZeroMeansLatest_IsValid() => Valid(new GetRequest { Key = "k", AtRevision = 0, Durability = Durability.Persistent });

    // ---- sequences ----
    [Theory]
    [InlineData(1)]
    [InlineData(ProtocolLimits.MaxSequenceCount)]
    public void SequenceCount_AtBounds_IsValid(int count) => Valid(new NextSequenceRequest { OperationId = Op, Name = "s", Count = count });

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(ProtocolLimits.MaxSequenceCount + 1)]
    public void SequenceCount_OutOfRange_IsInvalid(int count) =>
        Rejected(new NextSequenceRequest { OperationId = Op, Name = "s", Count = count }, KahunaStatus.InvalidInput, "Count");

    [Fact]
    public void IdempotencyKey_OverLimit_IsTooLarge() =>
        Rejected(new NextSequenceRequest { OperationId = Op, Name = "s", Count = 1, IdempotencyKey = new string('i', ProtocolLimits.MaxIdempotencyKeyBytes + 1) },
            KahunaStatus.TooLarge, "IdempotencyKey");

    [Fact]
    public void Scan_TakesAnEmptyPrefix_AndTheDefaultLimit() =>
        Valid(new ScanRequest { Prefix = "", Limit = 0, Durability = Durability.Persistent });

    [Theory]
    [InlineData(-1)]
    [InlineData(ProtocolLimits.MaxScanLimit + 1)]
    public void Scan_LimitOutOfRange_IsInvalid(int limit) =>
        Rejected(new ScanRequest { Prefix = "p", Limit = limit, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Limit");

    [Fact]
    public void Scan_OversizedPrefixOrStartAfter_IsTooLarge()
    {
        Rejected(new ScanRequest { Prefix = OverKeyMultiByte, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Prefix");
        Rejected(new ScanRequest { Prefix = "p", StartAfter = OverKey, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "StartAfter");
        Valid(new ScanRequest { Prefix = MaxKey, StartAfter = MaxKey, Durability = Durability.Persistent });
    }

    [Fact]
    public void Scan_EmptyStartAfterOrNoDurability_IsInvalid()
    {
        Rejected(new ScanRequest { Prefix = "p", StartAfter = "", Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "StartAfter");
        Rejected(new ScanRequest { Prefix = "p" }, KahunaStatus.InvalidInput, "Durability");
    }

    [Fact]
    public void GetMany_NeedsOneToTheLimitOfValidKeys()
    {
        Valid(new GetManyRequest { Keys = ["a", MaxKey, "a"], Durability = Durability.Persistent });
        Rejected(new GetManyRequest { Keys = [], Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Keys");
        Rejected(new GetManyRequest { Keys = null!, Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Keys");
        Rejected(new GetManyRequest { Keys = Enumerable.Repeat("k", ProtocolLimits.MaxBatchKeys + 1).ToArray(), Durability = Durability.Persistent },
            KahunaStatus.TooLarge, "Keys");
        Rejected(new GetManyRequest { Keys = ["a", ""], Durability = Durability.Persistent }, KahunaStatus.InvalidInput, "Keys[1]");
        Rejected(new GetManyRequest { Keys = ["a", OverKey], Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Keys[1]");
        Rejected(new GetManyRequest { Keys = ["a"] }, KahunaStatus.InvalidInput, "Durability");
        var manyLongKeys = Enumerable.Range(0, 100).Select(i => $"{i}{new string('k', 2700)}").ToArray(); // ~270 KB of keys
        Rejected(new GetManyRequest { Keys = manyLongKeys, Durability = Durability.Persistent }, KahunaStatus.TooLarge, "Keys");
    }

    [Fact]
    public void SetMany_NeedsAnOperationAndOneToTheLimitOfValidWrites_WithinOneValueOfBytes()
    {
        SetManyItem Item(string key, int bytes = 1, long ttl = 0) => new() { Key = key, Value = new byte[bytes], TtlMs = ttl };
        SetManyRequest Many(params SetManyItem[] items) => new() { OperationId = Op, Items = items, Durability = Durability.Persistent };

        Valid(Many(Item("a"), Item("a", 0, 1000)));
        Valid(Many(Item("a", ProtocolLimits.MaxValueBytes / 2), Item("b", ProtocolLimits.MaxValueBytes / 2)));
        Rejected(Many(Item("a")) with { OperationId = default }, KahunaStatus.InvalidInput, "OperationId");
        Rejected(Many(), KahunaStatus.InvalidInput, "Items");
        Rejected(Many(Enumerable.Range(0, ProtocolLimits.MaxBatchKeys + 1).Select(i => Item($"k{i}")).ToArray()), KahunaStatus.TooLarge, "Items");
        Rejected(Many(Item("a"), Item("")), KahunaStatus.InvalidInput, "Items[1].Key");
        Rejected(Many(Item("a"), null!), KahunaStatus.InvalidInput, "Items[1]");
        Rejected(Many(Item("a"), Item("b") with { Value = null! }), KahunaStatus.InvalidInput, "Items[1].Value");
        Rejected(Many(Item("a", ttl: -1)), KahunaStatus.InvalidInput, "Items[0].TtlMs");
        Rejected(Many(Item("a", ProtocolLimits.MaxValueBytes), Item("b")), KahunaStatus.TooLarge, "Items");
        Rejected(Many(Item("a")) with { Durability = 0 }, KahunaStatus.InvalidInput, "Durability");
        Rejected(Many(Enumerable.Range(0, 100).Select(i => Item($"{i}{new string('k', 2700)}")).ToArray()), KahunaStatus.TooLarge, "Items");
    }

    [Fact]
    public void DeleteMany_NeedsAnOperationAndOneToTheLimitOfValidKeys_WithinTheBatchKeyBytes()
    {
        DeleteManyRequest Many(params string[] keys) => new() { OperationId = Op, Keys = keys, Durability = Durability.Persistent };

        Valid(Many("a", MaxKey, "a"));
        Valid(Many(Enumerable.Range(0, ProtocolLimits.MaxBatchKeys).Select(i => $"k{i}").ToArray()));
        Rejected(Many("a") with { OperationId = default }, KahunaStatus.InvalidInput, "OperationId");
        Rejected(Many(), KahunaStatus.InvalidInput, "Keys");
        Rejected(Many() with { Keys = null! }, KahunaStatus.InvalidInput, "Keys");
        Rejected(Many(Enumerable.Range(0, ProtocolLimits.MaxBatchKeys + 1).Select(i => $"k{i}").ToArray()), KahunaStatus.TooLarge, "Keys");
        Rejected(Many("a", ""), KahunaStatus.InvalidInput, "Keys[1]");
        Rejected(Many("a", null!), KahunaStatus.InvalidInput, "Keys[1]");
        Rejected(Many("a", OverKeyMultiByte), KahunaStatus.TooLarge, "Keys[1]");
        Rejected(Many(Enumerable.Range(0, 100).Select(i => $"{i}{new string('k', 2700)}").ToArray()), KahunaStatus.TooLarge, "Keys");
        Rejected(Many("a") with { Durability = 0 }, KahunaStatus.InvalidInput, "Durability");
    }
}
