using System.Diagnostics;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// One real <c>kahuna start</c> process (<c>dotnet kahuna.dll start …</c>) that can be killed with SIGKILL and started
/// again with the same identity, ports and data directory. Its output is kept for failure messages.
/// </summary>
internal sealed class NodeProcess
{
    private readonly string _runDirectory;
    private readonly OutputTail _output = new();
    private readonly object _logGate = new();
    private Process? _process;
    private TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _starts;

    public NodeProcess(string nodeId, int clientPort, int clusterPort, string dataDirectory, string runDirectory)
    {
        NodeId = nodeId;
        ClientPort = clientPort;
        ClusterPort = clusterPort;
        DataDirectory = dataDirectory;
        _runDirectory = runDirectory;
    }

    public string NodeId { get; }
    public int ClientPort { get; }
    public int ClusterPort { get; }
    public string DataDirectory { get; }
    public string ClientEndpoint => $"127.0.0.1:{ClientPort}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The current process's id, while it runs.</summary>
    public int? Pid => IsRunning ? _process!.Id : null;

    public OutputTail Output => _output;

    /// <summary>Everything the node ever wrote, across restarts (in the run directory).</summary>
    public string LogFile => Path.Combine(_runDirectory, $"{NodeId}.log");

    private bool _logFileGone;

    /// <summary>
    /// Keeps a line in memory and appends it to the log file. Output can still arrive while the run directory is
    /// being deleted; that must never throw on the process's event thread (it would crash the test host).
    /// </summary>
    private void Record(string line)
    {
        _output.Add(line);
        lock (_logGate)
        {
            if (_logFileGone)
                return;
            try
            {
                File.AppendAllText(LogFile, line + "\n");
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                _logFileGone = true;
            }
        }
    }

    /// <summary>Starts <c>dotnet kahuna.dll</c> with <paramref name="arguments"/>; <see cref="WaitReadyAsync"/> then waits for its "ready" line.</summary>
    public void Start(IReadOnlyList<string> arguments)
    {
        if (IsRunning)
            throw new InvalidOperationException($"node {NodeId} is already running (pid {_process!.Id})");
        _process?.Dispose();
        _starts++;
        Record($"--- start #{_starts}: {string.Join(' ', arguments)} ---");
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        // Nobody may be waiting when a killed process exits; observe the fault so it is not reported as unobserved.
        ready.Task.ContinueWith(t => _ = t.Exception, TaskContinuationOptions.OnlyOnFaulted);

        var start = new ProcessStartInfo(KahunaExecutable.DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            WorkingDirectory = _runDirectory,
        };
        start.ArgumentList.Add(KahunaExecutable.Dll);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // Flags decide everything; a KAHUNA_* variable of the test environment must not leak into a node.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("KAHUNA_", StringComparison.Ordinal)).ToList())
            start.Environment.Remove(name);

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        string readyLine = $"node {NodeId} ready";
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
                return;
            Record(e.Data);
            if (e.Data.StartsWith(readyLine, StringComparison.Ordinal))
                ready.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
                Record(e.Data);
        };
        process.Exited += (_, _) =>
        {
            int code = process.ExitCode;
            Record($"--- exited with code {code} ---");
            ready.TrySetException(new InvalidOperationException($"node {NodeId} exited with code {code} before it was ready"));
        };
        process.Start();
        ProcessReaper.Track(process, _runDirectory);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        _ready = ready;
    }

    /// <summary>Waits for the node's "ready" line; throws if the process exits first or the time runs out.</summary>
    public async Task WaitReadyAsync(TimeSpan within)
    {
        try
        {
            await _ready.Task.WaitAsync(within);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"node {NodeId} did not print its ready line within {within.TotalSeconds:0} s");
        }
    }

    /// <summary>SIGKILL, like <c>kill -9</c>: no shutdown code runs. Returns once the process is gone.</summary>
    public void Kill()
    {
        SendKill();
        WaitUntilGone();
    }

    /// <summary>Sends SIGKILL without waiting (to kill several nodes at the same moment).</summary>
    public void SendKill()
    {
        var process = _process;
        if (process is null || process.HasExited)
            return;
        Record($"--- SIGKILL (pid {process.Id}) ---");
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It exited by itself in the meantime.
        }
    }

    /// <summary>Waits until the process has exited (after <see cref="SendKill"/>).</summary>
    public void WaitUntilGone()
    {
        var process = _process;
        if (process is null)
            return;
        try
        {
            if (!process.WaitForExit(TimeSpan.FromSeconds(10)))
                throw new InvalidOperationException($"node {NodeId} (pid {process.Id}) is still running 10 s after SIGKILL");
        }
        finally
        {
            ProcessReaper.Forget(process);
        }
    }

    /// <summary>Its state and the last lines it wrote, for a failure message.</summary>
    public string Describe(int lines)
    {
        string state = _process switch
        {
            null => "never started",
            { HasExited: true } p => $"exited with code {p.ExitCode}",
            var p => $"running, pid {p.Id}",
        };
        var tail = _output.Last(lines);
        return $"== {NodeId} ({state}; client {ClientEndpoint}, cluster port {ClusterPort}) — last {tail.Count} lines:\n"
            + string.Join('\n', tail.Select(l => "   | " + l));
    }
}
