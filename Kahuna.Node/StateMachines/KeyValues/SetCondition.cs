namespace Kahuna.Node.StateMachines.KeyValues;

/// <summary>
/// Existence conditions of a Set, checked against the live value (expired and deleted keys are absent).
/// The numbers are stored in the replicated log: append only.
/// </summary>
[Flags]
public enum SetCondition : byte
{
    None = 0,

    /// <summary>Write only if the key is absent (NX).</summary>
    IfNotExists = 1,

    /// <summary>Write only if the key is present (XX).</summary>
    IfExists = 2,
}
