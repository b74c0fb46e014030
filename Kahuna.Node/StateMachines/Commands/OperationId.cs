using MessagePack;

namespace Kahuna.Node.StateMachines.Commands;

/// <summary>
/// Identifies one client write for de-duplication: a 128-bit client id (chosen randomly by the client)
/// and a sequence the client increases for every write it sends. A retry reuses the same id.
/// </summary>
[MessagePackObject]
public readonly record struct OperationId(
    [property: Key(0)] ulong ClientIdHigh,
    [property: Key(1)] ulong ClientIdLow,
    [property: Key(2)] long Sequence);
