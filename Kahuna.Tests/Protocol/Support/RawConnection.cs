using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;

namespace Kahuna.Tests.Protocol.Support;

/// <summary>A bare socket that speaks (or deliberately breaks) the frame protocol, for hostile-input tests.</summary>
internal sealed class RawConnection : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);
    private readonly Socket _socket;
    private readonly byte[] _pending = new byte[4 * 1024 * 1024];
    private int _pendingLength;

    private RawConnection(Socket socket) => _socket = socket;

    public Socket Socket => _socket;

    public static async Task<RawConnection> ConnectAsync(IPEndPoint endpoint, int? receiveBufferBytes = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferBytes is { } size)
            socket.ReceiveBufferSize = size;
        await socket.ConnectAsync(endpoint);
        return new RawConnection(socket);
    }

    /// <summary>Connects and completes a valid handshake.</summary>
    public static async Task<RawConnection> ConnectAndHelloAsync(IPEndPoint endpoint, int? receiveBufferBytes = null)
    {
        var connection = await ConnectAsync(endpoint, receiveBufferBytes);
        await connection.SendRequestAsync(1, new HelloRequest { ProtocolVersion = ProtocolInfo.Version });
        var (_, reply) = await connection.ReadResponseAsync();
        if (reply is not HelloReply { Status: KahunaStatus.Ok })
            throw new InvalidOperationException($"handshake failed: {reply}");
        return connection;
    }

    public static byte[] Frame(ReadOnlySpan<byte> payload)
    {
        var frame = new byte[4 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame, (uint)payload.Length);
        payload.CopyTo(frame.AsSpan(4));
        return frame;
    }

    public static byte[] RequestPayload(ulong id, KahunaRequest request)
    {
        var buffer = new ArrayBufferWriter<byte>();
        MessageCodec.EncodeRequest(buffer, id, request);
        return buffer.WrittenSpan.ToArray();
    }

    public Task SendRequestAsync(ulong id, KahunaRequest request) => SendRawAsync(Frame(RequestPayload(id, request)));

    public async Task SendRawAsync(byte[] bytes) => await _socket.SendAsync(bytes, SocketFlags.None);

    /// <summary>Reads the next answer; throws if the connection ends or nothing comes within the wait.</summary>
    public async Task<(ulong Id, KahunaResponse Response)> ReadResponseAsync(TimeSpan? wait = null) =>
        await TryReadResponseAsync(wait) ?? throw new InvalidOperationException("the server closed the connection");

    /// <summary>Reads the next answer, or null when the server closed the connection (EOF or reset).</summary>
    public async Task<(ulong Id, KahunaResponse Response)?> TryReadResponseAsync(TimeSpan? wait = null)
    {
        using var timeout = new CancellationTokenSource(wait ?? DefaultWait);
        while (true)
        {
            if (_pendingLength >= 4)
            {
                int length = (int)BinaryPrimitives.ReadUInt32BigEndian(_pending);
                if (_pendingLength >= 4 + length)
                {
                    var decoded = MessageCodec.DecodeResponse(new ReadOnlySequence<byte>(_pending, 4, length));
                    Buffer.BlockCopy(_pending, 4 + length, _pending, 0, _pendingLength - 4 - length);
                    _pendingLength -= 4 + length;
                    if (!decoded.Succeeded)
                        throw new InvalidOperationException($"undecodable answer: {decoded.Error}");
                    return (decoded.RequestId, decoded.Message!);
                }
            }
            int read;
            try
            {
                read = await _socket.ReceiveAsync(_pending.AsMemory(_pendingLength), SocketFlags.None, timeout.Token);
            }
            catch (SocketException)
            {
                return null;
            }
            if (read == 0)
                return null;
            _pendingLength += read;
        }
    }

    /// <summary>True when the server has closed the connection (reads reach EOF after any remaining answers).</summary>
    public async Task<bool> IsClosedByServerAsync(TimeSpan? wait = null)
    {
        try
        {
            while (await TryReadResponseAsync(wait) is not null)
            {
            }
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
