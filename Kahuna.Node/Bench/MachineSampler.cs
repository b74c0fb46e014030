using System.Diagnostics;

namespace Kahuna.Node.Bench;

/// <summary>
/// Samples how loaded the machine is while a benchmark runs: the 1-minute load average, the number of runnable
/// threads (procs_running in /proc/stat) and this process's thread count. More runnable threads than cores for long
/// means work is queuing for CPU (the original Kahuna ran at a load of 30-60 on 2 cores).
/// </summary>
public sealed class MachineSampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<double> _runnable = new();
    private int _maxThreads;

    public MachineSampler() => _loop = Task.Run(LoopAsync);

    public double LoadAverage { get; private set; }
    public double MeanRunnable => _runnable.Count == 0 ? 0 : _runnable.Average();
    public int MaxThreads => _maxThreads;

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                if (File.Exists("/proc/loadavg"))
                    LoadAverage = double.Parse(File.ReadAllText("/proc/loadavg").Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                if (File.Exists("/proc/stat"))
                {
                    var line = File.ReadLines("/proc/stat").FirstOrDefault(l => l.StartsWith("procs_running", StringComparison.Ordinal));
                    if (line is not null) lock (_runnable) _runnable.Add(int.Parse(line.Split(' ')[1]));
                }
                _maxThreads = Math.Max(_maxThreads, Process.GetCurrentProcess().Threads.Count);
                await Task.Delay(200, _stop.Token);
            }
            catch (OperationCanceledException) { }
            catch (IOException) { }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _loop;
    }
}
