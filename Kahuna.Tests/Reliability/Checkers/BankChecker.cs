using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Reliability.Checkers;

public sealed record BankCheckOptions
{
    /// <summary>The sum of all balances before the run; transfers only move money, so every read must add up to it.</summary>
    public required long InitialTotal { get; init; }

    /// <summary>If set, every read must show exactly these accounts (a read that lost or invented one is wrong).</summary>
    public IReadOnlyCollection<string>? Accounts { get; init; }

    /// <summary>False when the workload forbids overdrafts: then no read may show a negative balance.</summary>
    public bool AllowNegativeBalances { get; init; }

    /// <summary>Below this many ok reads, or without a single ok transfer, the verdict is Unknown.</summary>
    public int MinimumReads { get; init; } = 5;

    public int MaxReportedPerKind { get; init; } = 20;
}

/// <summary>
/// Checks the bank workload: <c>transfer</c> moves <c>amount</c> from one account to another in one transaction, and
/// <c>read_all</c> reads every balance in one transaction. Whatever the interleaving, a serializable store shows each
/// read a state after some set of whole transfers, so every ok read sums to the initial total and (without
/// overdrafts) shows no negative balance. Info and fail reads saw nothing trustworthy and are ignored; transfers are
/// only counted (their effects are what the reads check). One bank per key; every key gets the same options.
/// </summary>
public sealed class BankChecker(BankCheckOptions options)
{
    public CheckResult Check(IReadOnlyList<HistoryOperation> history)
    {
        var anomalies = new List<Anomaly>();
        var totals = new List<Anomaly>();
        var negatives = new List<Anomaly>();
        var accounts = new List<Anomaly>();
        long reads = 0, transfers = 0, infoTransfers = 0;
        var expectedAccounts = options.Accounts is null ? null : new HashSet<string>(options.Accounts, StringComparer.Ordinal);

        for (int i = 0; i < history.Count; i++)
        {
            var op = history[i];
            if (op is { F: OperationFunction.Transfer })
            {
                if (op is { IsOk: true, From: null } or { IsOk: true, To: null } or { IsOk: true, Amount: null })
                    anomalies.Add(new Anomaly(AnomalyKind.MalformedHistory, $"a transfer needs from, to and amount: {CheckResult.Show(history, i)}", [i]));
                else if (op.IsOk) transfers++;
                else if (op.IsInfo) infoTransfers++;
                continue;
            }
            if (op is not { F: OperationFunction.ReadAll, IsOk: true }) continue;
            if (op.Balances is not { } balances)
            {
                anomalies.Add(new Anomaly(AnomalyKind.MalformedHistory, $"an ok read_all needs balances: {CheckResult.Show(history, i)}", [i]));
                continue;
            }

            reads++;
            Int128 sum = 0; // wide enough that no set of long balances can wrap around to the right total
            foreach (long balance in balances.Values) sum += balance;
            if (sum != options.InitialTotal)
                totals.Add(new Anomaly(AnomalyKind.TotalChanged,
                    $"bank {op.Key}: balances sum to {sum}, not {options.InitialTotal}: {CheckResult.Show(history, i)}", [i]));
            if (!options.AllowNegativeBalances && balances.Where(b => b.Value < 0).Select(b => $"{b.Key}={b.Value}").ToList() is { Count: > 0 } overdrawn)
                negatives.Add(new Anomaly(AnomalyKind.NegativeBalance,
                    $"bank {op.Key}: negative balance {string.Join(", ", overdrawn)}: {CheckResult.Show(history, i)}", [i]));
            if (expectedAccounts is not null && !expectedAccounts.SetEquals(balances.Keys))
            {
                var missing = expectedAccounts.Except(balances.Keys).Order(StringComparer.Ordinal);
                var extra = balances.Keys.Except(expectedAccounts).Order(StringComparer.Ordinal);
                accounts.Add(new Anomaly(AnomalyKind.WrongAccounts,
                    $"bank {op.Key}: missing [{string.Join(", ", missing)}], unexpected [{string.Join(", ", extra)}]: {CheckResult.Show(history, i)}", [i]));
            }
        }

        anomalies.AddRange(CheckResult.FirstOf(options.MaxReportedPerKind, totals));
        anomalies.AddRange(CheckResult.FirstOf(options.MaxReportedPerKind, negatives));
        anomalies.AddRange(CheckResult.FirstOf(options.MaxReportedPerKind, accounts));
        if (reads < options.MinimumReads)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, $"only {reads} ok reads of all balances (need {options.MinimumReads})", []));
        if (transfers == 0)
            anomalies.Add(new Anomaly(AnomalyKind.Vacuous, "no transfer succeeded, so nothing was moved to check", []));

        var counts = new Dictionary<string, long> { ["reads"] = reads, ["transfers"] = transfers, ["info_transfers"] = infoTransfers };
        return new CheckResult("bank", CheckResult.OutcomeOf(anomalies), anomalies, counts);
    }
}
