using System.Runtime;
using System.Runtime.InteropServices;

namespace Kahuna.Node.Hosting;

/// <summary>When the idle trim runs (<c>kahuna.memory</c> in hocon/kahuna.conf).</summary>
public sealed record MemorySettings(bool IdleTrim, TimeSpan IdleAfter, long MinExcessBytes, long IdleAllocationBytes, long MaxLiveBytes,
    long NativeMmapThreshold = 128 << 10)
{
    public static MemorySettings Default { get; } = new(true, TimeSpan.FromSeconds(5), 64L << 20, 8L << 20, 1L << 30);
}

/// <summary>
/// Decides when an idle process should give memory back: after a burst of work the GC keeps the heap it grew
/// (garbage from the burst, big snapshot buffers, a generous gen0 budget), and an idle process runs no collection
/// that would shrink it, so a node that loaded a million keys and went quiet kept ~500 MiB it no longer used.
/// The same idea as the JVM's periodic collections of idle heaps (JEP 346): once the process has allocated almost
/// nothing for <see cref="MemorySettings.IdleAfter"/> and the GC holds much more than it found alive last time,
/// collect once, compacting, and return the free pages. Nothing runs again until the process has worked again.
/// The collection blocks the process for about 0.4 ms per MB alive (177 ms with 1M keys on 2 cores), so it is skipped
/// above <see cref="MemorySettings.MaxLiveBytes"/>, where the pause would approach an election timeout.
/// Pure (no clock, no GC calls), so it is tested directly.
/// </summary>
public sealed class IdleTrimPolicy(MemorySettings settings)
{
    private TimeSpan _quietFor;
    private bool _workedSinceTrim = true;

    /// <param name="elapsed">Time since the previous observation.</param>
    /// <param name="allocated">Bytes the process allocated since the previous observation.</param>
    /// <param name="committed">Bytes the GC has committed now.</param>
    /// <param name="liveAfterLastGc">Heap bytes the last collection left alive.</param>
    public bool Observe(TimeSpan elapsed, long allocated, long committed, long liveAfterLastGc)
    {
        if (!settings.IdleTrim) return false;
        // Quiet means allocating less than the threshold per IdleAfter (heartbeats and ticks allocate a little).
        var quietBudget = settings.IdleAllocationBytes * Math.Max(elapsed.TotalMilliseconds, 1) / Math.Max(settings.IdleAfter.TotalMilliseconds, 1);
        if (allocated > quietBudget)
        {
            _quietFor = TimeSpan.Zero;
            _workedSinceTrim = true;
            return false;
        }
        _quietFor += elapsed;
        if (!_workedSinceTrim || _quietFor < settings.IdleAfter) return false;
        if (committed - liveAfterLastGc < settings.MinExcessBytes || liveAfterLastGc > settings.MaxLiveBytes) return false;
        _workedSinceTrim = false;
        return true;
    }
}

/// <summary>
/// Runs <see cref="IdleTrimPolicy"/> once a second for the whole process (nodes of <c>kahuna dev</c> share it). Started
/// by the kahuna executable only, never by a node embedded in another program.
/// </summary>
public static class IdleMemoryTrimmer
{
    private static readonly object Gate = new();
    private static Timer? _timer;

    public static void EnsureStarted(MemorySettings settings)
    {
        if (!settings.IdleTrim) return;
        lock (Gate)
        {
            if (_timer is not null) return;
            var policy = new IdleTrimPolicy(settings);
            var lastAllocated = GC.GetTotalAllocatedBytes();
            var lastAt = Environment.TickCount64;
            _timer = new Timer(_ =>
            {
                var now = Environment.TickCount64;
                var allocated = GC.GetTotalAllocatedBytes();
                var info = GC.GetGCMemoryInfo();
                var trim = policy.Observe(TimeSpan.FromMilliseconds(now - lastAt), allocated - lastAllocated,
                    info.TotalCommittedBytes, info.HeapSizeBytes);
                lastAt = now;
                lastAllocated = allocated;
                if (!trim) return;
                Trim();
                // The collection's own allocations must not count as work.
                lastAllocated = GC.GetTotalAllocatedBytes();
            }, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        }
    }

    /// <summary>
    /// Makes glibc serve every native allocation above <see cref="MemorySettings.NativeMmapThreshold"/> with its own
    /// mapping, unmapped as soon as it is freed. glibc's default threshold is dynamic: after the first big block
    /// (SQLite's copy of a multi-MB snapshot row) is freed it rises to that size, and from then on such blocks come
    /// from the arenas and stay there, so RSS right after loading 1M keys was ~250 MiB higher (1,161 vs 915 MiB).
    /// Process-wide, hence only the executable calls it.
    /// </summary>
    public static void ConfigureNativeHeap(MemorySettings settings)
    {
        if (settings.NativeMmapThreshold <= 0 || !OperatingSystem.IsLinux()) return;
        try
        {
            mallopt(MmapThresholdOption, (int)Math.Min(settings.NativeMmapThreshold, int.MaxValue));
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // not glibc (musl): its allocator maps big blocks by itself
        }
    }

    private const int MmapThresholdOption = -3; // M_MMAP_THRESHOLD in malloc.h

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int mallopt(int option, int value);

    private static void Trim()
    {
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        // Aggressive: a blocking, compacting full collection that also decommits what it frees. The process is idle.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        if (OperatingSystem.IsLinux()) TrimNativeHeap();
    }

    /// <summary>glibc keeps freed native memory (SQLite's buffers for big snapshot rows) in its arenas; hand it back.</summary>
    private static void TrimNativeHeap()
    {
        try
        {
            malloc_trim(0);
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            // not glibc (musl): nothing to trim this way
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int malloc_trim(nuint pad);
}
