using System.Diagnostics;
using Kahuna.Tests.ProcessLevel.Support;
using Xunit;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>The safety net for a test host that was killed before it could stop its node processes.</summary>
public sealed class ProcessReaperTests
{
    [Fact]
    public void AbandonedRun_ItsLeftoverProcessIsKilled_AStrangerListedUnderARecycledPidIsNot_AndTheDirectoryGoes()
    {
        var run = Path.Combine(ProcessReaper.Root, $"run-reaper-test-{Guid.NewGuid():N}");
        Directory.CreateDirectory(run);
        // The owner's PID is alive (this host) but its start time does not match: a recycled PID, so the owner is gone.
        File.WriteAllText(Path.Combine(run, "owner"), $"{Environment.ProcessId} 1");
        using var leftover = StartShell("sleep 60; true", Path.Combine(run, "n1")); // its command line names the run
        using var stranger = StartShell("sleep 60; true", "someone-else");
        File.WriteAllText(Path.Combine(run, "pids"), $"{leftover.Id}\n{stranger.Id}\n");
        try
        {
            ProcessReaper.SweepAbandonedRuns();

            Assert.True(leftover.WaitForExit(TimeSpan.FromSeconds(10)), "the leftover node process was not killed");
            Assert.False(stranger.HasExited, "a process that does not name the run directory was killed");
            Assert.False(Directory.Exists(run), "the abandoned run directory was not deleted");
        }
        finally
        {
            foreach (var process in new[] { leftover, stranger })
            {
                if (!process.HasExited)
                    process.Kill(entireProcessTree: true);
            }
            ProcessReaper.DeleteRunDirectory(run);
        }
    }

    /// <summary>A shell running <paramref name="script"/> with <paramref name="name"/> as its $0 (visible in its command line).</summary>
    private static Process StartShell(string script, string name)
    {
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(name);
        return Process.Start(start) ?? throw new InvalidOperationException("/bin/sh did not start");
    }
}
