using System.Buffers;
using System.Net.Sockets;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Network;

// The write side: answers out as they complete, one flush per batch of ready answers.
internal sealed partial class KahunaSession
{
    // Flush early when this much is buffered, so one burst does not build a huge write.
    private const int FlushThresholdBytes = 256 * 1024;

    private async Task WriteLoopAsync()
    {
        var reader = _responses.Reader;
        var scratch = new ArrayBufferWriter<byte>(4 * 1024);
        var token = _abort.Token;
        try
        {
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                int slotsToFree = 0;
                while (reader.TryRead(out var outgoing))
                {
                    WriteAnswer(scratch, outgoing);
                    if (outgoing.HoldsSlot)
                        slotsToFree++;
                    if (_output.UnflushedBytes >= FlushThresholdBytes)
                    {
                        if (!await FlushAsync(token).ConfigureAwait(false))
                            return;
                        slotsToFree = FreeSlots(slotsToFree);
                    }
                }
                if (!await FlushAsync(token).ConfigureAwait(false))
                    return;
                FreeSlots(slotsToFree);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            _closeReason ??= $"write failed: {ex.Message}";
        }
        finally
        {
            // Whatever ended the writes, nothing more will be read from this client.
            CancelQuietly(_stopReading);
        }
    }

    private void WriteAnswer(ArrayBufferWriter<byte> scratch, OutgoingResponse outgoing)
    {
        scratch.ResetWrittenCount();
        try
        {
            MessageCodec.EncodeResponse(scratch, outgoing.RequestId, outgoing.Response);
        }
        catch (Exception ex)
        {
            scratch.ResetWrittenCount();
            MessageCodec.EncodeResponse(scratch, outgoing.RequestId,
                ErrorResponse.Create(KahunaStatus.InternalError, $"the answer could not be encoded: {ex.Message}"));
        }
        if (scratch.WrittenCount > _settings.MaxFrameBytes)
        {
            scratch.ResetWrittenCount();
            MessageCodec.EncodeResponse(scratch, outgoing.RequestId,
                ErrorResponse.Create(KahunaStatus.TooLarge, $"the answer exceeds the frame limit of {_settings.MaxFrameBytes} bytes"));
        }
        FrameCodec.WriteFrame(_output, scratch.WrittenSpan);
    }

    /// <summary>Flushes, timing the flush so the sweep can spot a client that stopped reading. False when the peer is gone.</summary>
    private async ValueTask<bool> FlushAsync(CancellationToken token)
    {
        Interlocked.Exchange(ref _flushStartedTicks, Environment.TickCount64);
        var result = await _output.FlushAsync(token).ConfigureAwait(false);
        Interlocked.Exchange(ref _flushStartedTicks, 0);
        Touch();
        return !result.IsCompleted && !result.IsCanceled;
    }

    private int FreeSlots(int count)
    {
        if (count > 0)
            _inFlightSlots.Release(count);
        return 0;
    }

    /// <summary>
    /// After a final answer: send FIN and read (and drop) what the client still sends for a short while,
    /// so closing with unread input does not reset the connection and destroy the answer before the
    /// client reads it.
    /// </summary>
    private async Task LingerAsync()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
            using var linger = CancellationTokenSource.CreateLinkedTokenSource(_abort.Token);
            linger.CancelAfter(TimeSpan.FromSeconds(1));
            while (true)
            {
                var result = await _input.ReadAsync(linger.Token).ConfigureAwait(false);
                _input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                    return;
            }
        }
        catch (Exception)
        {
            // Lingering is best effort: the connection is being closed anyway.
        }
    }
}
