using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;

namespace Kahuna.Node.Bench;

/// <summary>
/// Drops the "Disassociated" errors Akka remoting logs when a peer it was talking to goes away, but only for peers
/// that <see cref="LocalRaftCluster"/> stopped on purpose. Those lines told the reader of `kahuna bench raft` nothing
/// (the benchmark stops nodes itself) and looked like failures; a peer lost for any other reason is still logged.
/// </summary>
internal sealed class StoppedPeerLogFilter : LogFilterBase
{
    private readonly ConcurrentDictionary<string, byte> _stopped = new(StringComparer.Ordinal);

    public override LogFilterType FilterType => LogFilterType.Content;

    /// <summary>From now on, disassociation errors about <paramref name="address"/> are expected.</summary>
    public void Stopped(Address address)
    {
        if (address.Port is { } port) _stopped[$"%40{address.Host}%3A{port}-"] = 0;
    }

    public override LogFilterDecision ShouldKeepMessage(LogEvent content, string? expandedMessage = null)
    {
        if (content is not Error || _stopped.IsEmpty) return LogFilterDecision.NoDecision;
        var text = expandedMessage ?? content.Message?.ToString() ?? "";
        if (!text.Contains("Disassociated", StringComparison.Ordinal)) return LogFilterDecision.NoDecision;
        foreach (var peer in _stopped.Keys)
            if (content.LogSource.Contains(peer, StringComparison.Ordinal)) return LogFilterDecision.Drop;
        return LogFilterDecision.NoDecision;
    }
}
