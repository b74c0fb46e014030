using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// Allocates the <see cref="OperationId"/> of each logical write and keeps the floor below which every
/// operation has been answered (sent as <see cref="KahunaWriteRequest.CompletedBelow"/>), so servers can
/// forget old de-duplication records.
/// </summary>
internal sealed class OperationTracker(Guid clientId)
{
    private readonly Lock _gate = new();
    private readonly SortedSet<long> _outstanding = [];
    private long _lastSequence;

    public Guid ClientId { get; } = clientId;

    /// <summary>Starts a logical operation: a fresh id and the current floor.</summary>
    public (OperationId Id, long CompletedBelow) Begin()
    {
        lock (_gate)
        {
            long sequence = ++_lastSequence;
            _outstanding.Add(sequence);
            return (OperationId.Create(ClientId, sequence), _outstanding.Min);
        }
    }

    /// <summary>Ends an operation (answered, failed or abandoned): its id will not be sent again.</summary>
    public void End(OperationId id)
    {
        lock (_gate)
            _outstanding.Remove(id.Sequence);
    }

    /// <summary>The current floor: every sequence below it has ended.</summary>
    public long CompletedBelow
    {
        get
        {
            lock (_gate)
                return _outstanding.Count > 0 ? _outstanding.Min : _lastSequence + 1;
        }
    }
}
