using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Protocol.Support;
using Xunit;

namespace Kahuna.Tests.Protocol.Hostile;

public class FuzzTests
{
    /// <summary>
    /// Seeded random frames and byte streams, each on its own connection: every one ends with an answer
    /// and/or a close, none crashes or wedges the server, and a healthy client keeps being served.
    /// </summary>
    [Fact]
    public async Task RandomFramesAndBytes_NeverHurtTheServer()
    {
        await using var server = TestServer.Start();
        await using var healthy = server.CreateClient(o => o with { ConnectionsPerEndpoint = 1 });
        await healthy.PingAsync();
        var random = new Random(20260101);
        var valid = RawConnection.RequestPayload(3, new GetRequest { Key = "k", Durability = Durability.Persistent });

        for (int round = 0; round < 120; round++)
        {
            await using var raw = await RawConnection.ConnectAndHelloAsync(server.BoundEndPoint);
            byte[] bytes = (round % 3) switch
            {
                0 => RawConnection.Frame(RandomBytes(random, random.Next(0, 48))),            // a well-framed random payload
                1 => RandomBytes(random, random.Next(1, 48)),                                 // random bytes, framing included
                _ => RawConnection.Frame(Mutate(random, valid)),                              // a valid request with bytes flipped
            };
            await raw.SendRawAsync(bytes);
            await raw.SendRequestAsync(1000, PingRequest.Instance); // a valid frame after it, if the stream is still in sync

            // Drain until the server closes or answers the trailing ping; either way it must not hang.
            bool settled = false;
            while (!settled)
            {
                var next = await raw.TryReadResponseAsync(TimeSpan.FromSeconds(10));
                settled = next is null || next.Value.Id == 1000;
            }
            if (round % 20 == 0)
                await healthy.PingAsync();
        }

        await healthy.PingAsync();
        await Eventually.TrueAsync(() => server.Server.ConnectionCount == 1, TimeSpan.FromSeconds(10), "fuzz connections are released");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static byte[] Mutate(Random random, byte[] valid)
    {
        var copy = (byte[])valid.Clone();
        for (int i = 0; i < 1 + random.Next(3); i++)
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        return copy;
    }
}
