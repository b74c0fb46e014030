using System.Diagnostics;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// One reading of a process's memory from /proc/&lt;pid&gt;/status, in KiB as the kernel reports it. RSS splits into
/// anonymous memory (GC heap, native allocations such as SQLite's page cache, thread stacks), file-backed pages
/// (mapped assemblies and the runtime's own code) and shared memory (the runtime's double-mapped JIT code under W^X,
/// SQLite's WAL index), which tells where a high figure comes from.
/// </summary>
public sealed record MemoryReading(long RssKiB, long HwmKiB, long AnonKiB, long FileKiB, long ShmemKiB, int Threads)
{
    public static MemoryReading? Read(int pid)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines($"/proc/{pid}/status");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null; // gone
        }
        long Field(string name)
        {
            var line = lines.FirstOrDefault(l => l.StartsWith(name + ":", StringComparison.Ordinal));
            if (line is null)
                return 0;
            // "VmRSS:\t  123456 kB": a tab, padding spaces, the number, the unit.
            var parts = line[(name.Length + 1)..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length > 0 && long.TryParse(parts[0], out var value) ? value : 0;
        }
        return new MemoryReading(Field("VmRSS"), Field("VmHWM"), Field("RssAnon"), Field("RssFile"), Field("RssShmem"), (int)Field("Threads"));
    }
}

/// <summary>The memory figure of one phase: RSS once it stopped moving (or when the wait ran out), and the peak so far.</summary>
public sealed record MemoryFigure(double RssMiB, double PeakMiB, double AnonMiB, double FileMiB, double ShmemMiB, int Threads, bool Settled,
    double SettleSeconds)
{
    public static MemoryFigure From(MemoryReading r, bool settled, TimeSpan waited) =>
        new(Mib(r.RssKiB), Mib(r.HwmKiB), Mib(r.AnonKiB), Mib(r.FileKiB), Mib(r.ShmemKiB), r.Threads, settled, Math.Round(waited.TotalSeconds, 1));

    private static double Mib(long kib) => Math.Round(kib / 1024.0, 1);
}

/// <summary>
/// Waits until a process's RSS stops moving: every sample of the last <c>window</c> lies within 2 MiB or 1 % of each
/// other. Right after a start or a load the runtime is still JIT-compiling, the GC has not yet run over the last
/// garbage and SQLite is still checkpointing, so a single early reading would be arbitrary. Bounded: after
/// <c>limit</c> the last reading is taken and marked unsettled.
/// </summary>
public static class MemorySettle
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    public static async Task<MemoryFigure> MeasureAsync(int pid, TimeSpan window, TimeSpan limit, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        int needed = Math.Max(2, (int)Math.Ceiling(window / Interval) + 1);
        var recent = new Queue<long>();
        while (true)
        {
            var reading = MemoryReading.Read(pid) ?? throw new InvalidOperationException($"the node (pid {pid}) exited while its memory was being measured");
            recent.Enqueue(reading.RssKiB);
            if (recent.Count > needed)
                recent.Dequeue();
            if (recent.Count == needed && IsFlat(recent))
                return MemoryFigure.From(reading, settled: true, clock.Elapsed);
            if (clock.Elapsed >= limit)
                return MemoryFigure.From(reading, settled: false, clock.Elapsed);
            await Task.Delay(Interval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static bool IsFlat(IReadOnlyCollection<long> samples)
    {
        long max = samples.Max(), min = samples.Min();
        return max - min <= Math.Max(2 * 1024, max / 100);
    }
}
