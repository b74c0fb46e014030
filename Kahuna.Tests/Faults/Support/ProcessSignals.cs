using System.Runtime.InteropServices;

namespace Kahuna.Tests.Faults.Support;

/// <summary>SIGSTOP and SIGCONT for a node process (Linux): a pause freezes every thread, timers and sockets included.</summary>
internal static class ProcessSignals
{
    private const int SigCont = 18;
    private const int SigStop = 19;

    public static void Stop(int pid) => Send(pid, SigStop, "SIGSTOP");

    public static void Continue(int pid) => Send(pid, SigCont, "SIGCONT");

    private static void Send(int pid, int signal, string name)
    {
        if (!OperatingSystem.IsLinux())
            throw new PlatformNotSupportedException("pausing a process needs Linux signals");
        if (Kill(pid, signal) != 0)
            throw new InvalidOperationException($"{name} to pid {pid} failed (errno {Marshal.GetLastWin32Error()})");
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}
