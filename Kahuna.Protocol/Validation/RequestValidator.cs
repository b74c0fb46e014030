using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Validation;

/// <summary>
/// One validation function per request type, shared by the client (before sending) and the server
/// (on receipt). Each returns the first problem found, naming the field, or <see cref="ValidationResult.Valid"/>.
/// Fields may be null even where the type says otherwise: a hostile peer can send nil for anything.
/// </summary>
public static partial class RequestValidator
{
    /// <summary>Validates any request by dispatching on its type; an unknown type is invalid.</summary>
    public static ValidationResult Validate(KahunaRequest? request) => request switch
    {
        null => ValidationResult.Invalid("request: missing"),
        HelloRequest r => Validate(r),
        PingRequest r => Validate(r),
        ClusterStatusRequest r => Validate(r),
        FaultInjectionRequest r => Validate(r),
        TransferLeaderRequest r => Validate(r),
        TryLockRequest r => Validate(r),
        ExtendLockRequest r => Validate(r),
        UnlockRequest r => Validate(r),
        GetLockRequest r => Validate(r),
        SetRequest r => Validate(r),
        GetRequest r => Validate(r),
        ExistsRequest r => Validate(r),
        DeleteRequest r => Validate(r),
        ExtendRequest r => Validate(r),
        ScanRequest r => Validate(r),
        GetManyRequest r => Validate(r),
        SetManyRequest r => Validate(r),
        DeleteManyRequest r => Validate(r),
        NextSequenceRequest r => Validate(r),
        _ => ValidationResult.Invalid($"request: unsupported type {request.GetType().Name}"),
    };

    /// <summary>Checks the protocol version and the sizes of the optional fields.</summary>
    public static ValidationResult Validate(HelloRequest request)
    {
        if (request.ProtocolVersion <= 0)
            return ValidationResult.Invalid($"{nameof(request.ProtocolVersion)}: must be positive, got {request.ProtocolVersion}");
        return First(
            OptionalText(request.ClientName, nameof(request.ClientName), ProtocolLimits.MaxClientNameBytes),
            OptionalText(request.Credential, nameof(request.Credential), ProtocolLimits.MaxCredentialBytes));
    }

    /// <summary>A ping has no fields; it is always valid.</summary>
    public static ValidationResult Validate(PingRequest request) => ValidationResult.Valid;

    /// <summary>A cluster status request has no fields to check.</summary>
    public static ValidationResult Validate(ClusterStatusRequest request) => ValidationResult.Valid;

    /// <summary>A known action, at most 16 node ids (each a valid name), exactly one for a leadership transfer, none needed to heal all.</summary>
    public static ValidationResult Validate(FaultInjectionRequest request)
    {
        if (!Enum.IsDefined(request.Action))
            return ValidationResult.Invalid($"{nameof(request.Action)}: unknown action {(int)request.Action}");
        var ids = request.NodeIds ?? [];
        if (ids.Length > MaxFaultInjectionNodes)
            return ValidationResult.TooLarge($"{nameof(request.NodeIds)}: {ids.Length} node ids, the limit is {MaxFaultInjectionNodes}");
        foreach (var id in ids)
        {
            if (Name(id, nameof(request.NodeIds)) is { IsValid: false } bad)
                return bad;
        }
        return request.Action switch
        {
            FaultInjectionAction.BlockTraffic or FaultInjectionAction.UnblockTraffic when ids.Length == 0 =>
                ValidationResult.Invalid($"{nameof(request.NodeIds)}: name at least one node"),
            FaultInjectionAction.TransferLeadership when ids.Length != 1 =>
                ValidationResult.Invalid($"{nameof(request.NodeIds)}: a leadership transfer names exactly one target node"),
            FaultInjectionAction.TransferLeadership when request.PartitionId < 0 =>
                ValidationResult.Invalid($"{nameof(request.PartitionId)}: must not be negative, got {request.PartitionId}"),
            _ => ValidationResult.Valid,
        };
    }

    /// <summary>A partition id that is not negative and a valid target node name.</summary>
    public static ValidationResult Validate(TransferLeaderRequest request) =>
        request.PartitionId < 0
            ? ValidationResult.Invalid($"{nameof(request.PartitionId)}: must not be negative, got {request.PartitionId}")
            : Name(request.TargetNodeId, nameof(request.TargetNodeId));

    /// <summary>Most node ids one fault-injection request may name.</summary>
    private const int MaxFaultInjectionNodes = 16;

    /// <summary>Returns the first failed result, or valid.</summary>
    private static ValidationResult First(params ReadOnlySpan<ValidationResult> results)
    {
        foreach (var result in results)
            if (!result.IsValid)
                return result;
        return ValidationResult.Valid;
    }
}
