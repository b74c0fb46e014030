using System.Text;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Validation;

// Checks of the fields several requests share; every message names the field.
public static partial class RequestValidator
{
    private static ValidationResult Name(string? value, string field)
    {
        if (string.IsNullOrEmpty(value))
            return ValidationResult.Invalid($"{field}: must not be empty");
        // Each UTF-16 char is at least one UTF-8 byte, so a long string fails without being measured.
        if (value.Length > ProtocolLimits.MaxKeyBytes || Encoding.UTF8.GetByteCount(value) > ProtocolLimits.MaxKeyBytes)
            return ValidationResult.TooLarge($"{field}: longer than {ProtocolLimits.MaxKeyBytes} UTF-8 bytes");
        return ValidationResult.Valid;
    }

    private static ValidationResult OptionalText(string? value, string field, int maxBytes)
    {
        if (value is null)
            return ValidationResult.Valid;
        if (value.Length > maxBytes || Encoding.UTF8.GetByteCount(value) > maxBytes)
            return ValidationResult.TooLarge($"{field}: longer than {maxBytes} UTF-8 bytes");
        return ValidationResult.Valid;
    }

    private static ValidationResult Owner(byte[]? owner, string field)
    {
        if (owner is null || owner.Length == 0)
            return ValidationResult.Invalid($"{field}: must not be empty");
        if (owner.Length > ProtocolLimits.MaxOwnerBytes)
            return ValidationResult.TooLarge($"{field}: {owner.Length} bytes, the limit is {ProtocolLimits.MaxOwnerBytes}");
        return ValidationResult.Valid;
    }

    private static ValidationResult Bytes(byte[]? value, string field, bool required)
    {
        if (value is null)
            return required ? ValidationResult.Invalid($"{field}: must not be null") : ValidationResult.Valid;
        if (value.Length > ProtocolLimits.MaxValueBytes)
            return ValidationResult.TooLarge($"{field}: {value.Length} bytes, the limit is {ProtocolLimits.MaxValueBytes}");
        return ValidationResult.Valid;
    }

    private static ValidationResult Durable(Durability durability, string field) =>
        durability is Durability.Persistent or Durability.Ephemeral
            ? ValidationResult.Valid
            : ValidationResult.Invalid($"{field}: must be Persistent (1) or Ephemeral (2), got {(int)durability}");

    private static ValidationResult Lease(long leaseMs, string field) =>
        leaseMs is >= ProtocolLimits.MinLeaseMs and <= ProtocolLimits.MaxLeaseMs
            ? ValidationResult.Valid
            : ValidationResult.Invalid($"{field}: must be between {ProtocolLimits.MinLeaseMs} and {ProtocolLimits.MaxLeaseMs} ms, got {leaseMs}");

    private static ValidationResult Ttl(long ttlMs, string field) =>
        ttlMs is >= 0 and <= ProtocolLimits.MaxTtlMs
            ? ValidationResult.Valid
            : ValidationResult.Invalid($"{field}: must be between 0 (no expiry) and {ProtocolLimits.MaxTtlMs} ms, got {ttlMs}");

    /// <summary>The idempotency fields every write carries.</summary>
    private static ValidationResult Operation(KahunaWriteRequest request)
    {
        var id = request.OperationId;
        if (id.IsEmpty)
            return ValidationResult.Invalid($"{nameof(request.OperationId)}: the client id must not be empty");
        if (id.Sequence <= 0)
            return ValidationResult.Invalid($"{nameof(request.OperationId)}.{nameof(id.Sequence)}: must be positive, got {id.Sequence}");
        if (request.CompletedBelow < 0 || request.CompletedBelow > id.Sequence)
            return ValidationResult.Invalid(
                $"{nameof(request.CompletedBelow)}: must be between 0 and the operation's sequence {id.Sequence}, got {request.CompletedBelow}");
        return ValidationResult.Valid;
    }
}
