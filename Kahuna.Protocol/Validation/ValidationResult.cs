namespace Kahuna.Protocol.Validation;

/// <summary>The verdict on one request: valid, or a status (InvalidInput / TooLarge) and a message naming the field.</summary>
public readonly record struct ValidationResult(KahunaStatus Status, string? Message)
{
    /// <summary>The request may be sent / handled.</summary>
    public static readonly ValidationResult Valid = new(KahunaStatus.Ok, null);

    /// <summary>True when the request passed every check.</summary>
    public bool IsValid => Status == KahunaStatus.Ok;

    /// <summary>A field is missing, malformed or out of range.</summary>
    public static ValidationResult Invalid(string message) => new(KahunaStatus.InvalidInput, message);

    /// <summary>A field is larger than its limit.</summary>
    public static ValidationResult TooLarge(string message) => new(KahunaStatus.TooLarge, message);
}
