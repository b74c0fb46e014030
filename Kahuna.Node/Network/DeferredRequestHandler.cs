using Kahuna.Protocol;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

/// <summary>
/// Lets the client port open before the rest of the node exists (its actual port is needed to announce it to the
/// cluster): until <see cref="Target"/> is set, requests are answered Retry ("starting"), which clients retry.
/// </summary>
public sealed class DeferredRequestHandler : IKahunaRequestHandler
{
    private volatile IKahunaRequestHandler? _target;

    public IKahunaRequestHandler? Target
    {
        get => _target;
        set => _target = value;
    }

    public ValueTask<KahunaResponse> HandleAsync(KahunaRequest request, RequestContext context, CancellationToken cancellationToken) =>
        _target is { } target
            ? target.HandleAsync(request, context, cancellationToken)
            : ValueTask.FromResult<KahunaResponse>(ErrorResponse.Create(KahunaStatus.Retry, "the node is starting"));
}
