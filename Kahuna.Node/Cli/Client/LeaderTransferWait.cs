using System.Diagnostics;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;

namespace Kahuna.Node.Cli.Client;

/// <summary>
/// Waits for a partition's new leader after <c>kahuna cluster transfer-leader</c>, asking for the transfer again while
/// the target does not lead. A leader abandons a transfer that has not finished within an election timeout (thesis
/// §3.10): the target was slow to catch up, or its election was lost or disrupted. Asking again is safe (the leader
/// answers a transfer to a node that already leads with Ok), so waiting means "until it leads", not "until one try fails".
/// </summary>
internal sealed class LeaderTransferWait(
    Func<CancellationToken, Task<string?>> currentLeader,
    Func<CancellationToken, Task> askAgain,
    TimeSpan pollEvery,
    TimeSpan askAgainEvery)
{
    /// <summary>How often the CLI asks again: twice the default election timeout, so a try in progress is not cut short.</summary>
    public static readonly TimeSpan DefaultAskAgainEvery = TimeSpan.FromSeconds(2);

    public static readonly TimeSpan DefaultPollEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>How many times the transfer was asked for again (for the output and tests).</summary>
    public int AskedAgain { get; private set; }

    /// <summary>
    /// Returns the last leader seen: the target when it took over, anything else when <paramref name="patience"/> ran
    /// out. Patience bounds every call too: a request that waits for an election is cut off when the time is up.
    /// </summary>
    public async Task<string?> RunAsync(string target, TimeSpan patience, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(patience);
        var sinceAsked = Stopwatch.StartNew();
        string? leader = null;
        try
        {
            while (true)
            {
                leader = await currentLeader(deadline.Token);
                if (leader == target) return leader;
                if (sinceAsked.Elapsed >= askAgainEvery)
                {
                    sinceAsked.Restart();
                    AskedAgain++;
                    try
                    {
                        await askAgain(deadline.Token);
                    }
                    catch (KahunaException e) when (IsPassing(e.Status))
                    {
                        // An election in progress or a busy leader: the next round asks again.
                    }
                }
                await Task.Delay(pollEvery, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return leader;
        }
    }

    /// <summary>
    /// What the client raises once its own retries (NotLeader, Retry, Overloaded) ran out, i.e. "not now": an election
    /// that outlasted the request, or no node reachable. Anything else (a target that holds no replica, a refused
    /// token) ends the wait.
    /// </summary>
    private static bool IsPassing(KahunaStatus status) => status is KahunaStatus.Timeout or KahunaStatus.Unavailable;
}
