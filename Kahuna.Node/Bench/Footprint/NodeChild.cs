using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Kahuna.Node.Bench.Footprint;

/// <summary>
/// One <c>kahuna start</c> child process (single node n1 on 127.0.0.1, client and cluster ports from the OS), so the
/// memory read from /proc is the node's alone, not the benchmark's. Its output is drained (a full pipe would block
/// the node), its last lines kept for error messages, and Raft's "recovered … entries" lines collected. It is
/// killed by PID when disposed and when this process exits, so no node outlives a run.
/// </summary>
internal sealed partial class NodeChild : IDisposable
{
    private const int TailLines = 60;
    private readonly Process _process;
    private readonly Queue<string> _tail = new();
    private readonly List<ReplicaRecovery> _recoveries = new();
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly EventHandler _onProcessExit;
    private int _disposed;

    private NodeChild(Process process, Stopwatch sinceSpawn)
    {
        _process = process;
        SinceSpawn = sinceSpawn;
        // Ctrl+C and SIGTERM reach the benchmark as a cancellation (finally blocks dispose us); this covers an exit
        // that skips them, e.g. an unhandled exception on another thread.
        _onProcessExit = (_, _) => KillNow();
        AppDomain.CurrentDomain.ProcessExit += _onProcessExit;
    }

    public int Pid => _process.Id;

    /// <summary>Runs from just before the spawn: what a user waiting for the node would measure.</summary>
    public Stopwatch SinceSpawn { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>When the "node n1 ready" line arrived (the client port is open; replicas may still be recovering).</summary>
    public TimeSpan? ReadyAfter { get; private set; }

    /// <summary>The replicas' own recovery figures, parsed from their log lines (akka.loglevel INFO).</summary>
    public IReadOnlyList<ReplicaRecovery> Recoveries
    {
        get { lock (_recoveries) return _recoveries.ToList(); }
    }

    public static NodeChild Start(string dataDirectory, string configFile, int partitions)
    {
        var (file, prefix) = Executable();
        var start = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dataDirectory)!,
        };
        string[] arguments =
        [
            .. prefix, "start", "--node-id", "n1", "--host", "127.0.0.1", "--port", "0", "--cluster-port", "0",
            "--data", dataDirectory, "--cluster-nodes", "n1", "--partitions", $"{partitions}", "--config", configFile,
            // A node on 127.0.0.1 that only this benchmark talks to: no client tokens.
            "--insecure",
        ];
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Flags decide everything; the caller's KAHUNA_* variables must not change the node under measurement.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("KAHUNA_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var child = new NodeChild(process, Stopwatch.StartNew());
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        process.Exited += (_, _) => child._ready.TrySetException(new InvalidOperationException(
            $"the node exited with code {process.ExitCode} before it was ready{child.DescribeTail()}"));
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Waits for the ready line; returns the client endpoint it announces (host:port).</summary>
    public async Task<string> WaitReadyAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        try
        {
            return await _ready.Task.WaitAsync(within, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"the node did not print its ready line within {within.TotalSeconds:0} s{DescribeTail()}");
        }
    }

    /// <summary>SIGTERM (a clean stop: the node flushes and closes its storage), then waits for the exit.</summary>
    public async Task<int> TerminateAsync(TimeSpan within)
    {
        if (!_process.HasExited && Kill(_process.Id, SigTerm) != 0)
            throw new InvalidOperationException($"kill(SIGTERM) of pid {_process.Id} failed (errno {Marshal.GetLastPInvokeError()})");
        using var deadline = new CancellationTokenSource(within);
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the node did not exit within {within.TotalSeconds:0} s of SIGTERM{DescribeTail()}");
        }
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (a crash: nothing of the node's shutdown runs), then waits for the exit.</summary>
    public async Task KillAsync()
    {
        KillNow();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await _process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the node (pid {_process.Id}) was still there 30 s after SIGKILL");
        }
    }

    /// <summary>
    /// Waits until <paramref name="replicas"/> recovery lines were read (output arrives through a pipe, a moment
    /// after the node wrote it), at most <paramref name="within"/>: a replica that replayed nothing writes none.
    /// </summary>
    public async Task<IReadOnlyList<ReplicaRecovery>> RecoveriesAsync(int replicas, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (Recoveries.Select(r => r.GroupId).Distinct().Count() < replicas && clock.Elapsed < within)
            await Task.Delay(20).ConfigureAwait(false);
        return Recoveries;
    }

    /// <summary>The node's last output lines, for an error message.</summary>
    public string DescribeTail()
    {
        lock (_tail)
            return _tail.Count == 0 ? "" : $"\nlast lines of the node (pid {_process.Id}):\n" + string.Join('\n', _tail.Select(l => "   | " + l));
    }

    /// <summary>Kills the process by PID if it still runs and waits for it; safe to call twice.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        AppDomain.CurrentDomain.ProcessExit -= _onProcessExit;
        KillNow();
        _process.WaitForExit(TimeSpan.FromSeconds(10));
        _process.Dispose();
    }

    private void KillNow()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited by itself meanwhile.
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
                _tail.Dequeue();
        }
        if (ReadyLine().Match(line) is { Success: true } ready)
        {
            ReadyAfter ??= SinceSpawn.Elapsed;
            _ready.TrySetResult(ready.Groups["endpoint"].Value);
        }
        else if (ReplicaRecovery.TryParse(line) is { } recovery)
        {
            lock (_recoveries) _recoveries.Add(recovery);
        }
    }

    /// <summary>
    /// The apphost <c>kahuna</c> when that is what runs us; otherwise <c>dotnet kahuna.dll</c> (under <c>dotnet run</c>,
    /// <c>dotnet kahuna.dll</c> or a test host, where kahuna.dll and its runtimeconfig sit beside the running code).
    /// </summary>
    private static (string File, string[] Prefix) Executable()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "kahuna")
            return (current, []);
        var dll = typeof(NodeChild).Assembly.Location;
        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host))
            return (host, [dll]);
        if (current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet")
            return (current, [dll]);
        return ("dotnet", [dll]);
    }

    [GeneratedRegex(@"^node n1 ready: client=(?<endpoint>\S+)")]
    private static partial Regex ReadyLine();

    private const int SigTerm = 15;

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int Kill(int pid, int signal);
}

/// <summary>One replica's recovery as it logged it: entries read back from the journal, and the log it ended with.</summary>
internal sealed partial record ReplicaRecovery(string GroupId, long EntriesReplayed, double Seconds, long FirstIndex, long LastIndex)
{
    /// <summary>Entries whose effect came from the checkpoint (the snapshot's index: the log starts right after it).</summary>
    public long FromSnapshot => Math.Max(0, FirstIndex - 1);

    /// <summary>Parses RaftReplicaActor's "Replica p0/n1 recovered E events, N entries in S s (…); log [F..L]" line.</summary>
    public static ReplicaRecovery? TryParse(string line)
    {
        var m = Pattern().Match(line);
        if (!m.Success)
            return null;
        return new ReplicaRecovery(m.Groups["group"].Value, long.Parse(m.Groups["entries"].Value),
            double.Parse(m.Groups["seconds"].Value, System.Globalization.CultureInfo.InvariantCulture),
            long.Parse(m.Groups["first"].Value), long.Parse(m.Groups["last"].Value));
    }

    [GeneratedRegex(@"Replica (?<group>[^/\s]+)/\S+ recovered \d+ events, (?<entries>\d+) entries in (?<seconds>[\d.]+)s .*log \[(?<first>\d+)\.\.(?<last>-?\d+)\]")]
    private static partial Regex Pattern();
}
