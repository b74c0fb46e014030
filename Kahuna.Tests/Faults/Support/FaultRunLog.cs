using System.Text.Json;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Support;

/// <summary>
/// One JSON line per fault run (seed, duration, operations per workload, faults by kind, violations, lost writes),
/// appended to TestResults/fault-runs.jsonl beside the histories directory, so a long run's totals can be added up
/// for RELIABILITY.md.
/// </summary>
internal static class FaultRunLog
{
    public static void Append(FaultRunReport report)
    {
        var directory = Path.GetDirectoryName(HistoryArtifacts.Default.Directory.TrimEnd(Path.DirectorySeparatorChar))!;
        Directory.CreateDirectory(directory);
        var line = JsonSerializer.Serialize(new
        {
            seed = report.Seed,
            passed = report.Passed,
            seconds = Math.Round(report.Elapsed.TotalSeconds),
            operations = report.OperationsByWorkload,
            ok = report.History.Count(o => o.IsOk),
            info = report.History.Count(o => o.IsInfo),
            faults = report.FaultsInjected.ToDictionary(f => f.Key.ToString(), f => f.Value),
            violations = report.Violations,
            lost_writes = report.LostWrites.Count,
            outcomes = report.Results.ToDictionary(r => r.Checker, r => r.Outcome.ToString()),
        });
        lock (typeof(FaultRunLog))
            File.AppendAllText(Path.Combine(directory, "fault-runs.jsonl"), line + "\n");
    }
}
