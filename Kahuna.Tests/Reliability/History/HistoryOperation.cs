namespace Kahuna.Tests.Reliability.History;

/// <summary>What an operation did. Written to JSON as the snake_case name (<c>read</c>, <c>read_all</c>, …).</summary>
public enum OperationFunction
{
    // Register (key/value) workload.
    Read,
    Write,
    Cas,
    Delete,

    // Lock workload.
    Acquire,
    Release,

    // Sequence workload.
    Next,
    Range,

    // Bank workload (an extension of the list: a transfer and a read of every balance at once).
    Transfer,
    ReadAll,
}

/// <summary>
/// How an operation ended, from the client's point of view. This is the one fact every checker leans on, so the
/// workload client must classify honestly: anything it cannot prove is <see cref="Info"/>.
/// </summary>
public enum OperationStatus
{
    /// <summary>It took effect (and its result fields are what the server answered).</summary>
    Ok,

    /// <summary>It certainly did not take effect (a definite refusal: Busy, NotSet, InvalidOwner, …).</summary>
    Fail,

    /// <summary>Unknown: a timeout, a dropped connection, a retryable status. It may take effect at any later time, or never.</summary>
    Info,
}

/// <summary>
/// One operation of a history: one record type for every workload, with the fields a workload does not use left null.
/// <see cref="Invoke"/> and <see cref="Complete"/> are seconds on one monotonic clock shared by all processes, so they
/// compare across processes. <see cref="Complete"/> is null when the client never heard back (the op is then Info).
/// For an Info op that did hear back (a timeout), Complete records when the client gave up; checkers ignore it,
/// because the operation may still take effect after that moment.
/// </summary>
public sealed record HistoryOperation
{
    public required int Process { get; init; }
    public required OperationFunction F { get; init; }
    public string? Key { get; init; }
    public required double Invoke { get; init; }
    public double? Complete { get; init; }
    public required OperationStatus Status { get; init; }

    /// <summary>Read: the value seen (null = the key was absent). Write/cas: the value written. Next: the value handed out.</summary>
    public long? Value { get; init; }

    /// <summary>Cas: the value that had to be present (null = the key had to be absent).</summary>
    public long? Expected { get; init; }

    public string? Owner { get; init; }
    public long? Token { get; init; }
    public long? LeaseMs { get; init; }

    /// <summary>Range: the first value of the range; it holds <see cref="Count"/> values, <c>start .. start+count-1</c>.</summary>
    public long? Start { get; init; }

    public long? Count { get; init; }

    // Bank workload.
    public string? From { get; init; }
    public string? To { get; init; }
    public long? Amount { get; init; }
    public IReadOnlyDictionary<string, long>? Balances { get; init; }

    /// <summary>Free text for people: why a Fail or Info ended that way (status name, exception type).</summary>
    public string? Error { get; init; }

    public bool IsOk => Status == OperationStatus.Ok;
    public bool IsFail => Status == OperationStatus.Fail;
    public bool IsInfo => Status == OperationStatus.Info;

    /// <summary>Completion for real-time ordering: an Info op (or one never answered) may take effect at any later time.</summary>
    public double EffectiveComplete => Status == OperationStatus.Ok && Complete is { } c ? c : double.PositiveInfinity;

    /// <summary>Places a hand-made operation on the timeline (tests and generators).</summary>
    public HistoryOperation At(double invoke, double? complete, OperationStatus status = OperationStatus.Ok) =>
        this with { Invoke = invoke, Complete = complete, Status = status };

    public override string ToString() => HistoryJson.Serialize(this);

    // Invocations: the fields known before the request is sent. Status defaults to Info (not yet known).
    public static HistoryOperation Read(int process, string key) => New(process, OperationFunction.Read, key);
    public static HistoryOperation Write(int process, string key, long value) => New(process, OperationFunction.Write, key) with { Value = value };
    public static HistoryOperation Cas(int process, string key, long? expected, long value) =>
        New(process, OperationFunction.Cas, key) with { Expected = expected, Value = value };
    public static HistoryOperation Delete(int process, string key) => New(process, OperationFunction.Delete, key);

    public static HistoryOperation Acquire(int process, string resource, string owner, long leaseMs) =>
        New(process, OperationFunction.Acquire, resource) with { Owner = owner, LeaseMs = leaseMs };
    public static HistoryOperation Release(int process, string resource, string owner) =>
        New(process, OperationFunction.Release, resource) with { Owner = owner };

    public static HistoryOperation Next(int process, string sequence) => New(process, OperationFunction.Next, sequence);
    public static HistoryOperation Range(int process, string sequence, long count) => New(process, OperationFunction.Range, sequence) with { Count = count };

    public static HistoryOperation Transfer(int process, string bank, string from, string to, long amount) =>
        New(process, OperationFunction.Transfer, bank) with { From = from, To = to, Amount = amount };
    public static HistoryOperation ReadAll(int process, string bank) => New(process, OperationFunction.ReadAll, bank);

    private static HistoryOperation New(int process, OperationFunction f, string key) =>
        new() { Process = process, F = f, Key = key, Invoke = 0, Status = OperationStatus.Info };
}
