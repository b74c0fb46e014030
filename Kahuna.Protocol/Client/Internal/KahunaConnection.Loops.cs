using System.Buffers;
using System.Net.Sockets;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Protocol.Client.Internal;

// The two loops of a connection: requests out (coalesced), answers in (matched by id).
internal sealed partial class KahunaConnection
{
    private const int FlushThresholdBytes = 256 * 1024;

    private async Task WriteLoopAsync()
    {
        var reader = _outgoing.Reader;
        var scratch = new ArrayBufferWriter<byte>(4 * 1024);
        var token = _closed.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out var item))
                {
                    scratch.ResetWrittenCount();
                    MessageCodec.EncodeRequest(scratch, item.Id, item.Request);
                    if (scratch.WrittenCount > _maxFrameBytes)
                    {
                        // Only this request is refused; the connection itself is fine.
                        _pending.TryComplete(item.Id, ErrorResponse.Create(KahunaStatus.TooLarge,
                            $"the request encodes to {scratch.WrittenCount} bytes, over the frame limit of {_maxFrameBytes}"));
                        continue;
                    }
                    FrameCodec.WriteFrame(_output, scratch.WrittenSpan);
                    if (_output.UnflushedBytes >= FlushThresholdBytes)
                        await _output.FlushAsync(token).ConfigureAwait(false);
                }
                var flushed = await _output.FlushAsync(token).ConfigureAwait(false);
                if (flushed.IsCompleted)
                    break;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail(new KahunaConnectionException(KahunaStatus.Unavailable, $"writing to {Endpoint} failed: {ex.Message}", isRetryable: true, ex));
        }
        catch (OperationCanceledException)
        {
        }
        finally
        {
            await _output.CompleteAsync().ConfigureAwait(false);
        }
    }

    private async Task ReadLoopAsync()
    {
        var token = _closed.Token;
        KahunaConnectionException failure;
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
                        var status = FrameCodec.TryReadFrame(ref buffer, _maxFrameBytes, out var payload, out long declared);
                        if (status == FrameReadStatus.Incomplete)
                            break;
                        if (status == FrameReadStatus.Oversized)
                        {
                            Fail(new KahunaConnectionException(KahunaStatus.ProtocolError,
                                $"{Endpoint} sent a frame of {declared} bytes, over the limit of {_maxFrameBytes}", isRetryable: true));
                            return;
                        }
                        OnFrame(payload);
                    }
                    if (result.IsCompleted)
                        break;
                }
                finally
                {
                    _input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            failure = new KahunaConnectionException(KahunaStatus.Unavailable, $"{Endpoint} closed the connection", isRetryable: true);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException)
        {
            failure = new KahunaConnectionException(KahunaStatus.Unavailable, $"reading from {Endpoint} failed: {ex.Message}", isRetryable: true, ex);
        }
        finally
        {
            await _input.CompleteAsync().ConfigureAwait(false);
        }
        Fail(failure);
    }

    private void OnFrame(System.Buffers.ReadOnlySequence<byte> payload)
    {
        var decoded = MessageCodec.DecodeResponse(payload);
        if (!decoded.Succeeded)
        {
            Fail(new KahunaConnectionException(KahunaStatus.ProtocolError, $"{Endpoint} sent an undecodable answer: {decoded.Error}", isRetryable: true));
            return;
        }
        var response = decoded.Message!;
        if (decoded.RequestId == 0)
        {
            // An answer to no request is about the connection itself (overloaded server, protocol error): it is closing.
            Fail(new KahunaConnectionException(response.Status, $"{Endpoint} closed the connection: {response.Message}",
                isRetryable: IsRetryableStatus(response.Status) || response.Status == KahunaStatus.ProtocolError));
            return;
        }
        // An id that no longer waits belongs to a request whose caller gave up meanwhile (deadline, cancellation).
        _pending.TryComplete(decoded.RequestId, response);
    }
}
