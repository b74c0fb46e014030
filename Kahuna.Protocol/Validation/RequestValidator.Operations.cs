using System.Text;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Validation;

// One function per lock, key/value and sequence request.
public static partial class RequestValidator
{
    /// <summary>Resource, owner, lease, durability and the operation id.</summary>
    public static ValidationResult Validate(TryLockRequest request) => First(
        Operation(request),
        Name(request.Resource, nameof(request.Resource)),
        Owner(request.Owner, nameof(request.Owner)),
        Lease(request.LeaseMs, nameof(request.LeaseMs)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Resource, owner, lease, durability and the operation id.</summary>
    public static ValidationResult Validate(ExtendLockRequest request) => First(
        Operation(request),
        Name(request.Resource, nameof(request.Resource)),
        Owner(request.Owner, nameof(request.Owner)),
        Lease(request.LeaseMs, nameof(request.LeaseMs)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Resource, owner, durability and the operation id.</summary>
    public static ValidationResult Validate(UnlockRequest request) => First(
        Operation(request),
        Name(request.Resource, nameof(request.Resource)),
        Owner(request.Owner, nameof(request.Owner)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Resource and durability.</summary>
    public static ValidationResult Validate(GetLockRequest request) => First(
        Name(request.Resource, nameof(request.Resource)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Key, value, TTL, flags, compare fields, durability and the operation id.</summary>
    public static ValidationResult Validate(SetRequest request)
    {
        var common = First(
            Operation(request),
            Name(request.Key, nameof(request.Key)),
            Bytes(request.Value, nameof(request.Value), required: true),
            Ttl(request.TtlMs, nameof(request.TtlMs)),
            Bytes(request.CompareValue, nameof(request.CompareValue), required: false),
            Durable(request.Durability, nameof(request.Durability)));
        if (!common.IsValid)
            return common;

        var flags = request.Flags;
        if ((flags & ~(SetFlags.IfNotExists | SetFlags.IfExists)) != 0)
            return ValidationResult.Invalid($"{nameof(request.Flags)}: unknown bits in {(int)flags}");
        if (flags == (SetFlags.IfNotExists | SetFlags.IfExists))
            return ValidationResult.Invalid($"{nameof(request.Flags)}: IfNotExists and IfExists exclude each other");
        bool compares = request.CompareValue is not null || request.CompareRevision is not null;
        if (flags.HasFlag(SetFlags.IfNotExists) && compares)
            return ValidationResult.Invalid($"{nameof(request.Flags)}: IfNotExists cannot be combined with a compare value or revision");
        return CompareRevision(request.CompareRevision, nameof(request.CompareRevision));
    }

    /// <summary>Key, revision (0 = latest) and durability.</summary>
    public static ValidationResult Validate(GetRequest request)
    {
        if (request.AtRevision < 0)
            return ValidationResult.Invalid($"{nameof(request.AtRevision)}: must be 0 (latest) or a revision, got {request.AtRevision}");
        return First(
            Name(request.Key, nameof(request.Key)),
            Durable(request.Durability, nameof(request.Durability)));
    }

    /// <summary>1 to <see cref="ProtocolLimits.MaxBatchKeys"/> valid keys adding up to at most <see cref="ProtocolLimits.MaxBatchKeyBytes"/>, and durability.</summary>
    public static ValidationResult Validate(GetManyRequest request) => First(
        BatchKeys(request.Keys, nameof(request.Keys)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>
    /// The operation id, 1 to <see cref="ProtocolLimits.MaxBatchKeys"/> valid keys adding up to at most
    /// <see cref="ProtocolLimits.MaxBatchKeyBytes"/> (no log entry much larger than one big set), and durability.
    /// </summary>
    public static ValidationResult Validate(DeleteManyRequest request) => First(
        Operation(request),
        BatchKeys(request.Keys, nameof(request.Keys)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>The key list of a GetMany or DeleteMany: 1 to the batch limit of valid keys, within the batch's key bytes.</summary>
    private static ValidationResult BatchKeys(string[]? keys, string field)
    {
        if (keys is null || keys.Length == 0)
            return ValidationResult.Invalid($"{field}: must name at least one key");
        if (keys.Length > ProtocolLimits.MaxBatchKeys)
            return ValidationResult.TooLarge($"{field}: {keys.Length} keys, the limit is {ProtocolLimits.MaxBatchKeys}");
        long keyBytes = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            if (Name(keys[i], $"{field}[{i}]") is { IsValid: false } bad)
                return bad;
            keyBytes += Encoding.UTF8.GetByteCount(keys[i]);
        }
        return keyBytes > ProtocolLimits.MaxBatchKeyBytes
            ? ValidationResult.TooLarge($"{field}: the keys add up to {keyBytes} UTF-8 bytes, the limit is {ProtocolLimits.MaxBatchKeyBytes}")
            : ValidationResult.Valid;
    }

    /// <summary>
    /// The operation id, 1 to <see cref="ProtocolLimits.MaxBatchKeys"/> writes of valid keys, values and TTLs whose
    /// values add up to at most <see cref="ProtocolLimits.MaxValueBytes"/> and whose keys add up to at most
    /// <see cref="ProtocolLimits.MaxBatchKeyBytes"/> (no log entry much larger than one big set), and durability.
    /// </summary>
    public static ValidationResult Validate(SetManyRequest request)
    {
        if (Operation(request) is { IsValid: false } badOperation)
            return badOperation;
        var items = request.Items;
        if (items is null || items.Length == 0)
            return ValidationResult.Invalid($"{nameof(request.Items)}: must hold at least one write");
        if (items.Length > ProtocolLimits.MaxBatchKeys)
            return ValidationResult.TooLarge($"{nameof(request.Items)}: {items.Length} writes, the limit is {ProtocolLimits.MaxBatchKeys}");
        long total = 0, keyBytes = 0;
        for (var i = 0; i < items.Length; i++)
        {
            var field = $"{nameof(request.Items)}[{i}]";
            if (items[i] is not { } item)
                return ValidationResult.Invalid($"{field}: missing");
            var check = First(
                Name(item.Key, $"{field}.{nameof(item.Key)}"),
                Bytes(item.Value, $"{field}.{nameof(item.Value)}", required: true),
                Ttl(item.TtlMs, $"{field}.{nameof(item.TtlMs)}"));
            if (!check.IsValid)
                return check;
            total += item.Value.Length;
            keyBytes += Encoding.UTF8.GetByteCount(item.Key);
        }
        if (keyBytes > ProtocolLimits.MaxBatchKeyBytes)
            return ValidationResult.TooLarge($"{nameof(request.Items)}: the keys add up to {keyBytes} UTF-8 bytes, the limit is {ProtocolLimits.MaxBatchKeyBytes}");
        if (total > ProtocolLimits.MaxValueBytes)
            return ValidationResult.TooLarge($"{nameof(request.Items)}: the values add up to {total} bytes, the limit is {ProtocolLimits.MaxValueBytes}");
        return Durable(request.Durability, nameof(request.Durability));
    }

    /// <summary>Prefix (may be empty), the key to start after (when given), page size and durability.</summary>
    public static ValidationResult Validate(ScanRequest request)
    {
        if (request.Limit is < 0 or > ProtocolLimits.MaxScanLimit)
            return ValidationResult.Invalid($"{nameof(request.Limit)}: must be between 1 and {ProtocolLimits.MaxScanLimit} (0 = {ProtocolLimits.DefaultScanLimit}), got {request.Limit}");
        return First(
            OptionalText(request.Prefix, nameof(request.Prefix), ProtocolLimits.MaxKeyBytes),
            request.StartAfter is null ? ValidationResult.Valid : Name(request.StartAfter, nameof(request.StartAfter)),
            Durable(request.Durability, nameof(request.Durability)));
    }

    /// <summary>Key and durability.</summary>
    public static ValidationResult Validate(ExistsRequest request) => First(
        Name(request.Key, nameof(request.Key)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Key, compare fields, durability and the operation id.</summary>
    public static ValidationResult Validate(DeleteRequest request) => First(
        Operation(request),
        Name(request.Key, nameof(request.Key)),
        Bytes(request.CompareValue, nameof(request.CompareValue), required: false),
        CompareRevision(request.CompareRevision, nameof(request.CompareRevision)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>A compare revision: absent, or a revision (they start at 1).</summary>
    private static ValidationResult CompareRevision(long? revision, string field) =>
        revision is { } r && r < 1 ? ValidationResult.Invalid($"{field}: revisions start at 1, got {r}") : ValidationResult.Valid;

    /// <summary>Key, TTL, durability and the operation id.</summary>
    public static ValidationResult Validate(ExtendRequest request) => First(
        Operation(request),
        Name(request.Key, nameof(request.Key)),
        Ttl(request.TtlMs, nameof(request.TtlMs)),
        Durable(request.Durability, nameof(request.Durability)));

    /// <summary>Name, count, idempotency key and the operation id.</summary>
    public static ValidationResult Validate(NextSequenceRequest request)
    {
        if (request.Count is < 1 or > ProtocolLimits.MaxSequenceCount)
            return ValidationResult.Invalid($"{nameof(request.Count)}: must be between 1 and {ProtocolLimits.MaxSequenceCount}, got {request.Count}");
        return First(
            Operation(request),
            Name(request.Name, nameof(request.Name)),
            OptionalText(request.IdempotencyKey, nameof(request.IdempotencyKey), ProtocolLimits.MaxIdempotencyKeyBytes));
    }
}
