using System.Diagnostics;

namespace Kahuna.Tests.ProcessLevel;

// Akka cluster membership seen from outside, through the nodes' own log lines (the test configuration logs at INFO).
public sealed partial class KahunaProcessCluster
{
    /// <summary>Per node: every node's output line count when that node was last started.</summary>
    private readonly Dictionary<string, IReadOnlyDictionary<string, long>> _outputAtStart = new();

    private void RememberOutputAtStart(string nodeId) =>
        _outputAtStart[nodeId] = Nodes.ToDictionary(n => n.NodeId, n => n.Output.Total);

    /// <summary>The node's Akka address, as it appears in cluster log lines.</summary>
    public string ClusterAddressOf(string nodeId) => $"akka.tcp://kahuna@127.0.0.1:{Node(nodeId).ClusterPort}";

    /// <summary>
    /// Waits until the cluster leader logs that it moved the current incarnation of <paramref name="nodeId"/> to Up.
    /// A restarted node serves requests as soon as it is Joining, but until it is Up Akka's split brain resolver does
    /// not count it, so a fail-over test waits for this before killing another node (otherwise the survivors of the
    /// next kill may down themselves: see KnownBugs/SplitBrainResolverTests).
    /// </summary>
    public Task WaitMemberUpAsync(string nodeId, TimeSpan within) =>
        WaitForLogLineAsync($"Leader is moving node [{ClusterAddressOf(nodeId)}] to [Up]", sinceStartOf: nodeId, within);

    /// <summary>Waits until the cluster has accepted the current incarnation of <paramref name="nodeId"/> as Joining.</summary>
    public Task WaitMemberJoiningAsync(string nodeId, TimeSpan within) =>
        WaitForLogLineAsync($"Node [{ClusterAddressOf(nodeId)}] is JOINING", sinceStartOf: nodeId, within);

    /// <summary>Waits until any node logs a line containing <paramref name="text"/> after <paramref name="sinceStartOf"/>'s last start.</summary>
    public async Task WaitForLogLineAsync(string text, string sinceStartOf, TimeSpan within, CancellationToken cancellationToken = default)
    {
        var since = _outputAtStart[sinceStartOf];
        var clock = Stopwatch.StartNew();
        while (!Nodes.Any(n => n.Output.Since(since[n.NodeId]).Any(l => l.Contains(text, StringComparison.Ordinal))))
        {
            if (clock.Elapsed > within)
                throw new TimeoutException($"no node logged \"{text}\" within {within.TotalSeconds:0} s");
            await Task.Delay(50, cancellationToken);
        }
    }
}
