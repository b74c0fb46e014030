namespace Kahuna.Tests.Faults.Hostile;

/// <summary>A process's resident set size, from /proc (Linux).</summary>
internal static class NodeMemory
{
    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0]) * 1024;
        }
        throw new InvalidOperationException($"no VmRSS in /proc/{pid}/status");
    }

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024):F0} MiB";
}
