using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers.Fixtures;

/// <summary>
/// Shorthands for hand-made histories: each places one operation on the timeline [invoke, complete]. Info operations
/// take no complete (the client never heard back) unless one is given.
/// </summary>
internal static class Ops
{
    public const OperationStatus Ok = OperationStatus.Ok;
    public const OperationStatus Fail = OperationStatus.Fail;
    public const OperationStatus Info = OperationStatus.Info;

    // Registers.
    public static HistoryOperation Read(int p, string key, long? saw, double invoke, double complete, OperationStatus status = Ok) =>
        HistoryOperation.Read(p, key).At(invoke, complete, status) with { Value = saw };
    public static HistoryOperation Write(int p, string key, long value, double invoke, double complete, OperationStatus status = Ok) =>
        HistoryOperation.Write(p, key, value).At(invoke, complete, status);
    public static HistoryOperation WriteInfo(int p, string key, long value, double invoke) =>
        HistoryOperation.Write(p, key, value).At(invoke, null, Info);
    public static HistoryOperation Cas(int p, string key, long? expected, long value, double invoke, double? complete, OperationStatus status = Ok) =>
        HistoryOperation.Cas(p, key, expected, value).At(invoke, complete, status);
    public static HistoryOperation Delete(int p, string key, double invoke, double? complete, OperationStatus status = Ok) =>
        HistoryOperation.Delete(p, key).At(invoke, complete, status);

    // Locks.
    public static HistoryOperation Acquire(int p, string owner, long token, double invoke, double complete, long leaseMs = 10_000, string resource = "lock") =>
        HistoryOperation.Acquire(p, resource, owner, leaseMs).At(invoke, complete) with { Token = token };
    public static HistoryOperation AcquireFailed(int p, string owner, double invoke, double complete, long leaseMs = 10_000, string resource = "lock") =>
        HistoryOperation.Acquire(p, resource, owner, leaseMs).At(invoke, complete, Fail);
    public static HistoryOperation AcquireInfo(int p, string owner, double invoke, long leaseMs = 10_000, string resource = "lock") =>
        HistoryOperation.Acquire(p, resource, owner, leaseMs).At(invoke, null, Info);
    public static HistoryOperation Release(int p, string owner, double invoke, double? complete, OperationStatus status = Ok, string resource = "lock") =>
        HistoryOperation.Release(p, resource, owner).At(invoke, complete, status);

    // Sequences.
    public static HistoryOperation Next(int p, long value, double invoke, double complete, string sequence = "seq") =>
        HistoryOperation.Next(p, sequence).At(invoke, complete) with { Value = value };
    public static HistoryOperation Range(int p, long start, long count, double invoke, double complete, string sequence = "seq") =>
        HistoryOperation.Range(p, sequence, count).At(invoke, complete) with { Start = start };

    // Bank.
    public static HistoryOperation Transfer(int p, string from, string to, long amount, double invoke, double? complete, OperationStatus status = Ok) =>
        HistoryOperation.Transfer(p, "bank", from, to, amount).At(invoke, complete, status);
    public static HistoryOperation ReadAll(int p, double invoke, double complete, params (string Account, long Balance)[] balances) =>
        HistoryOperation.ReadAll(p, "bank").At(invoke, complete) with { Balances = balances.ToDictionary(b => b.Account, b => b.Balance) };
}
