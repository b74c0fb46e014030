using System.Globalization;
using Kahuna.Tests.Faults.Support;
using Kahuna.Tests.Reliability.History;
using Xunit;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Kahuna.Tests.Faults;

/// <summary>
/// The fault suite: register, lock and sequence workloads on three real processes under a seeded schedule of kill -9
/// (one, two, all), SIGSTOP pauses, partitions (one node cut off; one link cut) and leadership transfers, every history
/// checked. CI runs one round of every fault kind for one seed; the environment makes it as long as wanted:
/// <code>
/// KAHUNA_FAULT_SEEDS=101,102,103,104 KAHUNA_FAULT_MINUTES=15 dotnet test Kahuna.Tests --filter "FullyQualifiedName~Kahuna.Tests.Faults.FaultScheduleTests"
/// </code>
/// A failing seed keeps its history (JSON Lines) and the checkers' reports under TestResults/histories and prints the
/// replay command.
/// </summary>
[Collection("cluster")]
public sealed class FaultScheduleTests(ITestOutputHelper output)
{
    public const string SeedsVariable = "KAHUNA_FAULT_SEEDS";
    public const string MinutesVariable = "KAHUNA_FAULT_MINUTES";
    private const long CiSeed = 20261126;

    [Fact]
    public async Task SeededFaultSchedule_UnderRegisterLockAndSequenceLoad_EveryHistoryChecksOut()
    {
        var seeds = (Environment.GetEnvironmentVariable(SeedsVariable) is { Length: > 0 } configured
            ? configured.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => long.Parse(s, CultureInfo.InvariantCulture))
            : [CiSeed]).ToList();
        var minutes = Environment.GetEnvironmentVariable(MinutesVariable) is { Length: > 0 } m ? double.Parse(m, CultureInfo.InvariantCulture) : (double?)null;
        var options = minutes is { } length
            ? new Func<long, FaultRunOptions>(seed => new FaultRunOptions(seed) { Duration = TimeSpan.FromMinutes(length) })
            : seed => new FaultRunOptions(seed) { MaxSteps = Enum.GetValues<FaultKind>().Length, Duration = TimeSpan.FromSeconds(75) };

        var failures = new List<string>();
        foreach (var seed in seeds)
        {
            var report = await FaultRunner.RunAsync(options(seed), output);
            output.WriteLine(report.Summary());
            FaultRunLog.Append(report);
            if (report.Passed) continue;
            var path = HistoryArtifacts.Default.Save(nameof(FaultScheduleTests), seed, report.History, report.Results);
            failures.Add($"{report.Summary()}\nhistory kept at {path}\nreplay: {SeedsVariable}={seed}" +
                (minutes is { } x ? $" {MinutesVariable}={x.ToString(CultureInfo.InvariantCulture)}" : "") +
                " dotnet test Kahuna.Tests --filter \"FullyQualifiedName~Kahuna.Tests.Faults.FaultScheduleTests\"");
        }
        if (failures.Count > 0)
            throw new XunitException(string.Join("\n\n", failures));
    }
}
