using System.Runtime.InteropServices;

namespace Kahuna.Node.Cli;

/// <summary>
/// Turns the first Ctrl+C (SIGINT) or SIGTERM into a cancellation so commands stop cleanly; a second
/// signal is left to the default handling, which ends the process at once (for a stop that hangs).
/// </summary>
public sealed class ProcessTermination : IDisposable
{
    private readonly CancellationTokenSource _cancellation = new();
    private readonly PosixSignalRegistration[] _registrations;

    private ProcessTermination()
    {
        _registrations =
        [
            PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal),
            PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal),
        ];
    }

    /// <summary>Cancelled by the first termination signal.</summary>
    public CancellationToken Token => _cancellation.Token;

    /// <summary>Starts listening for termination signals.</summary>
    public static ProcessTermination Listen() => new();

    private void OnSignal(PosixSignalContext context)
    {
        if (_cancellation.IsCancellationRequested)
            return; // Second signal: let the runtime end the process.
        context.Cancel = true;
        _cancellation.Cancel();
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
        _cancellation.Dispose();
    }
}
