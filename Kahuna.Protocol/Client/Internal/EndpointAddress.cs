using System.Globalization;

namespace Kahuna.Protocol.Client.Internal;

/// <summary>A server address parsed from <c>host:port</c> (or <c>[v6-address]:port</c>).</summary>
internal sealed record EndpointAddress(string Host, int Port)
{
    public static EndpointAddress Parse(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        int colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
            throw new FormatException($"endpoint '{text}' is not host:port");
        string host = text[..colon];
        if (host.StartsWith('[') && host.EndsWith(']'))
            host = host[1..^1];
        if (!int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
            throw new FormatException($"endpoint '{text}' has an invalid port");
        return new EndpointAddress(host, port);
    }

    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
