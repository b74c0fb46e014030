namespace Kahuna.Tests.Reliability.Checkers.Register;

/// <summary>The content of a register: absent, or a value. Absent is a real state (a read may observe it), not a wildcard.</summary>
internal readonly record struct RegisterValue(bool Present, long Value)
{
    public static readonly RegisterValue Absent = default;

    public static RegisterValue Of(long? value) => value is { } v ? new RegisterValue(true, v) : Absent;

    public ulong Hash() => Present ? ((ulong)Value * 0x9E3779B97F4A7C15UL) ^ 0xD6E8FEB86659FD93UL : 0x5851F42D4C957F2DUL;

    public override string ToString() => Present ? Value.ToString() : "absent";
}

internal enum RegisterStepKind : byte
{
    /// <summary>Needs the register to hold <see cref="RegisterStep.Required"/>; changes nothing.</summary>
    Read,

    /// <summary>Sets the register to <see cref="RegisterStep.Written"/> whatever it held (write, and delete = write absent).</summary>
    Write,

    /// <summary>Needs <see cref="RegisterStep.Required"/>, then sets <see cref="RegisterStep.Written"/>.</summary>
    Cas,
}

/// <summary>
/// One operation of one key, reduced to what the compare-and-set register model needs. An Info operation's
/// <see cref="Complete"/> is +infinity: it may take effect at any point after its invoke, or not at all.
/// </summary>
internal readonly record struct RegisterStep(
    int HistoryIndex,
    RegisterStepKind Kind,
    RegisterValue Required,
    RegisterValue Written,
    double Invoke,
    double Complete,
    bool IsInfo)
{
    /// <summary>The model's transition: false if the operation cannot happen in <paramref name="state"/>.</summary>
    public bool TryApply(RegisterValue state, out RegisterValue next)
    {
        switch (Kind)
        {
            case RegisterStepKind.Read:
                next = state;
                return state == Required;
            case RegisterStepKind.Write:
                next = Written;
                return true;
            default:
                next = Written;
                return state == Required;
        }
    }

    public string Describe() => Kind switch
    {
        RegisterStepKind.Read => $"read {Required}",
        RegisterStepKind.Write => Written.Present ? $"write {Written}" : "delete",
        _ => $"cas {Required}->{Written}",
    } + (IsInfo ? " (info)" : "");
}
