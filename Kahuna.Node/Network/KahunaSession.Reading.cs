using System.Buffers;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Validation;

namespace Kahuna.Node.Network;

// The read side: frames in, handshake, validation, dispatch to the handler.
internal sealed partial class KahunaSession
{
    private async Task<ReadEnding> ReadLoopAsync()
    {
        var token = _stopReading.Token;
        try
        {
            while (true)
            {
                var result = await _input.ReadAsync(token).ConfigureAwait(false);
                var buffer = result.Buffer;
                try
                {
                    while (true)
                    {
                        var status = FrameCodec.TryReadFrame(ref buffer, _settings.MaxFrameBytes, out var payload, out long declared);
                        if (status == FrameReadStatus.Incomplete)
                            break;
                        if (status == FrameReadStatus.Oversized)
                        {
                            ulong id = MessageCodec.PeekRequestId(FrameCodec.AfterHeader(buffer));
                            return FailProtocol(id, $"frame of {declared} bytes exceeds the limit of {_settings.MaxFrameBytes}");
                        }
                        Touch();
                        if (!await OnFrameAsync(payload, token).ConfigureAwait(false))
                            return ReadEnding.CloseAfterAnswer;
                    }
                    if (result.IsCompleted)
                    {
                        if (buffer.Length == 0)
                            return ReadEnding.Graceful;
                        ulong id = MessageCodec.PeekRequestId(FrameCodec.AfterHeader(buffer));
                        return FailProtocol(id, $"connection closed inside a frame ({buffer.Length} bytes of it received)");
                    }
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return ReadEnding.Graceful;
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
        {
            _closeReason ??= $"read failed: {ex.Message}";
            return ReadEnding.Broken;
        }
    }

    /// <summary>Handles one whole frame; false means a final answer was queued and reading must stop.</summary>
    private async ValueTask<bool> OnFrameAsync(ReadOnlySequence<byte> payload, CancellationToken token)
    {
        var decoded = MessageCodec.DecodeRequest(payload);
        if (decoded is { Succeeded: false, IsUnknownType: true } && _handshaken)
        {
            // A newer client's request (a rolling upgrade): the frame is whole, so refuse it alone and keep the connection.
            await _inFlightSlots.WaitAsync(token).ConfigureAwait(false);
            Answer(decoded.RequestId, ErrorResponse.Create(KahunaStatus.Unsupported,
                $"{decoded.Error}: this node (protocol {ProtocolInfo.Version}) does not know that request; it may run an older Kahuna version"));
            return true;
        }
        if (!decoded.Succeeded)
        {
            FailProtocol(decoded.RequestId, decoded.Error!);
            return false;
        }

        ulong id = decoded.RequestId;
        var request = decoded.Message!;
        // Every answer occupies a slot until it is flushed: waiting here is the backpressure.
        await _inFlightSlots.WaitAsync(token).ConfigureAwait(false);

        if (!_handshaken)
            return await HandshakeAsync(id, request, token).ConfigureAwait(false);

        switch (request)
        {
            case HelloRequest:
                Answer(id, ErrorResponse.Create(KahunaStatus.InvalidInput, "the connection has already completed its handshake"));
                return true;
            case PingRequest:
                Answer(id, new PingReply { Status = KahunaStatus.Ok });
                return true;
        }

        var validation = RequestValidator.Validate(request);
        if (!validation.IsValid)
        {
            Answer(id, ErrorResponse.Create(validation.Status, validation.Message));
            return true;
        }
        Dispatch(id, request);
        return true;
    }

    private async ValueTask<bool> HandshakeAsync(ulong id, KahunaRequest request, CancellationToken token)
    {
        if (request is not HelloRequest hello)
        {
            FailProtocol(id, $"the first frame must be a Hello, got {request.GetType().Name}", holdsSlot: true);
            return false;
        }
        if (hello.ProtocolVersion != ProtocolInfo.Version)
            return RefuseHello(id, KahunaStatus.InvalidInput, $"protocol version {hello.ProtocolVersion} is not supported; this server speaks {ProtocolInfo.Version}");
        var validation = RequestValidator.Validate(hello);
        if (!validation.IsValid)
            return RefuseHello(id, validation.Status, validation.Message);

        AuthenticationResult verdict;
        try
        {
            verdict = await _authenticator.AuthenticateAsync(hello, RemoteEndPoint, token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return RefuseHello(id, KahunaStatus.InternalError, $"authentication failed: {ex.Message}");
        }
        if (!verdict.Accepted)
            return RefuseHello(id, KahunaStatus.Unauthorized, verdict.Reason ?? "credential refused");

        Context = new RequestContext(Id, RemoteEndPoint, hello.ClientName, verdict.Principal) { IsAdmin = verdict.IsAdmin };
        _handshaken = true;
        Answer(id, new HelloReply { Status = KahunaStatus.Ok, ProtocolVersion = ProtocolInfo.Version, NodeId = _settings.NodeId });
        return true;
    }

    private bool RefuseHello(ulong id, KahunaStatus status, string? message)
    {
        _closeReason ??= $"handshake refused: {status}";
        _responses.Writer.TryWrite(new OutgoingResponse(id, new HelloReply
        {
            Status = status,
            Message = message,
            ProtocolVersion = ProtocolInfo.Version,
            NodeId = _settings.NodeId,
        }, HoldsSlot: true));
        return false;
    }

    /// <summary>Queues a ProtocolError answer as the connection's last; the caller stops reading.</summary>
    private ReadEnding FailProtocol(ulong id, string message, bool holdsSlot = false)
    {
        _closeReason ??= $"protocol error: {message}";
        _responses.Writer.TryWrite(new OutgoingResponse(id, ErrorResponse.Create(KahunaStatus.ProtocolError, message), holdsSlot));
        return ReadEnding.CloseAfterAnswer;
    }

    /// <summary>Queues an answer that holds an in-flight slot.</summary>
    private void Answer(ulong id, KahunaResponse response)
    {
        if (!_responses.Writer.TryWrite(new OutgoingResponse(id, response, HoldsSlot: true)))
            _inFlightSlots.Release(); // The session is closing; nobody will flush this answer.
    }

    private void Dispatch(ulong id, KahunaRequest request)
    {
        Interlocked.Increment(ref _unanswered);
        ValueTask<KahunaResponse> pending;
        try
        {
            pending = _handler.HandleAsync(request, Context, _abort.Token);
        }
        catch (Exception ex)
        {
            Complete(id, InternalError(ex));
            return;
        }
        if (pending.IsCompletedSuccessfully)
            Complete(id, pending.Result ?? NullAnswer(request));
        else
            _ = AwaitHandlerAsync(id, request, pending);
    }

    private async Task AwaitHandlerAsync(ulong id, KahunaRequest request, ValueTask<KahunaResponse> pending)
    {
        KahunaResponse response;
        try
        {
            response = await pending.ConfigureAwait(false) ?? NullAnswer(request);
        }
        catch (OperationCanceledException) when (_abort.IsCancellationRequested)
        {
            response = ErrorResponse.Create(KahunaStatus.Retry, "the connection is closing");
        }
        catch (Exception ex)
        {
            response = InternalError(ex);
        }
        Complete(id, response);
    }

    private void Complete(ulong id, KahunaResponse response)
    {
        Answer(id, response);
        if (Interlocked.Decrement(ref _unanswered) == 0)
            _responses.Writer.TryComplete();
    }

    private static ErrorResponse InternalError(Exception ex) =>
        ErrorResponse.Create(KahunaStatus.InternalError, $"{ex.GetType().Name}: {ex.Message}");

    private static ErrorResponse NullAnswer(KahunaRequest request) =>
        ErrorResponse.Create(KahunaStatus.InternalError, $"the handler returned no answer to {request.GetType().Name}");
}
