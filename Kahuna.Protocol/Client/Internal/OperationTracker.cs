using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>
/// Allocates the <see cref="OperationId"/> of each logical write and keeps the floor below which every
/// operation has been answered (sent as <see cref="KahunaWriteRequest.CompletedBelow"/>), so servers can
/// forget old de-duplication records.
/// </summary>
/// <remarks>
/// Sequences are handed out in increasing order, so the outstanding ones all lie in the window from the floor to
/// the last sequence given. One bit per sequence of that window, in a ring, says whether it is still outstanding:
/// beginning and ending an operation cost O(1) (amortized: the floor passes each sequence once) and allocate
/// nothing, where a sorted set allocated a node per write and rebalanced a tree twice. The ring only grows when one
/// operation stays outstanding while many later ones come and go: one bit per write made meanwhile, which the request
/// timeout bounds. (Without one, <c>RequestTimeout = TimeSpan.MaxValue</c>, a write whose connection stays open but
/// never answers holds the floor, and the ring grows by 1.25 MB per ten million later writes until it ends.)
/// </remarks>
internal sealed class OperationTracker(Guid clientId)
{
    private const int InitialWindowBits = 256;

    private readonly Lock _gate = new();
    private ulong[] _outstanding = new ulong[InitialWindowBits / 64];
    private long _floor = 1; // every sequence below has ended; equals _lastSequence + 1 when none is outstanding
    private long _lastSequence;

    public Guid ClientId { get; } = clientId;

    /// <summary>Starts a logical operation: a fresh id and the current floor.</summary>
    public (OperationId Id, long CompletedBelow) Begin()
    {
        lock (_gate)
        {
            long sequence = ++_lastSequence;
            while (sequence - _floor >= WindowBits)
                Grow();
            Set(sequence, true);
            return (OperationId.Create(ClientId, sequence), _floor);
        }
    }

    /// <summary>Ends an operation (answered, failed or abandoned): its id will not be sent again. Ending twice is harmless.</summary>
    public void End(OperationId id)
    {
        long sequence = id.Sequence;
        lock (_gate)
        {
            if (sequence < _floor || sequence > _lastSequence || !IsSet(sequence))
                return;
            Set(sequence, false);
            while (_floor <= _lastSequence && !IsSet(_floor))
                _floor++;
        }
    }

    /// <summary>The current floor: every sequence below it has ended.</summary>
    public long CompletedBelow
    {
        get
        {
            lock (_gate)
                return _floor;
        }
    }

    private long WindowBits => (long)_outstanding.Length * 64;

    private bool IsSet(long sequence)
    {
        long bit = sequence & (WindowBits - 1);
        return (_outstanding[bit >> 6] & (1UL << (int)(bit & 63))) != 0;
    }

    private void Set(long sequence, bool outstanding)
    {
        long bit = sequence & (WindowBits - 1);
        ref ulong word = ref _outstanding[bit >> 6];
        if (outstanding)
            word |= 1UL << (int)(bit & 63);
        else
            word &= ~(1UL << (int)(bit & 63));
    }

    /// <summary>Doubles the ring, moving each outstanding sequence of the window to its place in the larger one.</summary>
    private void Grow()
    {
        var old = _outstanding;
        long oldBits = WindowBits;
        _outstanding = new ulong[old.Length * 2];
        for (long sequence = _floor; sequence < _lastSequence; sequence++)
        {
            long bit = sequence & (oldBits - 1);
            if ((old[bit >> 6] & (1UL << (int)(bit & 63))) != 0)
                Set(sequence, true);
        }
    }
}
