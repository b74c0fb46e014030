using System.Collections.Concurrent;
using System.Diagnostics;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// The safety net that keeps node processes from outliving the tests. Every started process is tracked by PID:
/// when the test host exits (normally, or on SIGTERM/Ctrl+C) the ones still running are killed. A host that is
/// itself killed (SIGKILL) cannot clean up, so each run directory records its owner and its processes' PIDs, and
/// the next run sweeps directories whose owner is gone: it kills a leftover PID only if that process's command
/// line still names the run directory (so a recycled PID is never touched), then deletes the directory.
/// </summary>
internal static class ProcessReaper
{
    /// <summary>Where every run directory lives (data, config and bookkeeping of one cluster).</summary>
    public static readonly string Root = Path.Combine(Path.GetTempPath(), "kahuna-process-tests");

    private const string OwnerFile = "owner";
    private const string PidsFile = "pids";
    private static readonly ConcurrentDictionary<int, Process> Live = new();
    private static readonly object FilesGate = new();
    private static int _swept;

    static ProcessReaper()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillEverythingStillRunning();
    }

    /// <summary>A fresh run directory owned by this test host (after sweeping abandoned ones, once per host).</summary>
    public static string CreateRunDirectory()
    {
        if (Interlocked.Exchange(ref _swept, 1) == 0)
            SweepAbandonedRuns();
        var directory = Path.Combine(Root, $"run-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..8]}");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, OwnerFile), $"{Environment.ProcessId} {StartTicks(Process.GetCurrentProcess())}");
        return directory;
    }

    public static void Track(Process process, string runDirectory)
    {
        Live[process.Id] = process;
        lock (FilesGate)
            File.AppendAllText(Path.Combine(runDirectory, PidsFile), $"{process.Id}\n");
    }

    public static void Forget(Process process) => Live.TryRemove(process.Id, out _);

    /// <summary>Deletes a run directory, retrying briefly: a just-killed process's files can take a moment to be released.</summary>
    public static void DeleteRunDirectory(string directory)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                if (Directory.Exists(directory))
                    Directory.Delete(directory, recursive: true);
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException && attempt < 20)
            {
                Thread.Sleep(50); // bounded: at most about a second in total
            }
        }
    }

    private static void KillEverythingStillRunning()
    {
        foreach (var process in Live.Values)
        {
            try
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            catch (Exception)
            {
                // Exiting anyway; kill the rest.
            }
        }
    }

    /// <summary>Kills the leftovers of run directories whose owner is gone and deletes those directories.</summary>
    internal static void SweepAbandonedRuns()
    {
        if (!Directory.Exists(Root))
            return;
        foreach (var run in Directory.GetDirectories(Root, "run-*"))
        {
            try
            {
                if (OwnerIsAlive(run))
                    continue;
                KillLeftovers(run);
                DeleteRunDirectory(run);
            }
            catch (Exception)
            {
                // Best effort: a directory that cannot be swept now is tried again by the next run.
            }
        }
    }

    private static bool OwnerIsAlive(string run)
    {
        var ownerFile = Path.Combine(run, OwnerFile);
        if (!File.Exists(ownerFile))
            return Directory.GetCreationTimeUtc(run) > DateTime.UtcNow.AddMinutes(-1); // just created: the owner file follows
        var parts = File.ReadAllText(ownerFile).Split(' ');
        if (parts.Length != 2 || !int.TryParse(parts[0], out var pid) || !long.TryParse(parts[1], out var ticks))
            return false;
        try
        {
            using var owner = Process.GetProcessById(pid);
            return Math.Abs(StartTicks(owner) - ticks) < TimeSpan.TicksPerSecond;
        }
        catch (ArgumentException)
        {
            return false; // no such process
        }
    }

    private static void KillLeftovers(string run)
    {
        var pidsFile = Path.Combine(run, PidsFile);
        if (!File.Exists(pidsFile) || !OperatingSystem.IsLinux())
            return;
        foreach (var line in File.ReadAllLines(pidsFile))
        {
            if (!int.TryParse(line, out var pid))
                continue;
            var commandLine = $"/proc/{pid}/cmdline";
            if (!File.Exists(commandLine) || !File.ReadAllText(commandLine).Contains(run, StringComparison.Ordinal))
                continue; // gone, or the PID now belongs to someone else
            try
            {
                using var leftover = Process.GetProcessById(pid);
                leftover.Kill(entireProcessTree: true);
            }
            catch (Exception)
            {
                // It exited meanwhile.
            }
        }
    }

    private static long StartTicks(Process process) => process.StartTime.ToUniversalTime().Ticks;
}
