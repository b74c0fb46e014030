using System.Net;
using System.Net.Sockets;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>TCP ports on 127.0.0.1 that were free a moment ago, chosen by the OS.</summary>
internal static class FreePorts
{
    /// <summary>
    /// Binds <paramref name="count"/> listeners to port 0 at the same time (so the ports are distinct), reads the
    /// ports the OS gave them and releases them. Another process may take one before it is used: callers retry.
    /// </summary>
    public static int[] Take(int count)
    {
        var listeners = new List<TcpListener>(count);
        try
        {
            for (int i = 0; i < count; i++)
            {
                var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                listeners.Add(listener);
            }
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }
}
