using Kahuna.Protocol.Client;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Workloads;

/// <summary>
/// Lock cycles on a few resources: acquire with a lease (a fresh owner per cycle), then, while holding it, write the
/// fencing token into the resource's fence register through a checked compare-and-set (read the register; write the
/// token only if it is higher than what is there, as a fenced resource would), then release. The acquires and releases
/// go to the lock checker; the fence register's reads and writes go to the linearizability checker with the other keys.
/// </summary>
internal sealed class LockWorkload(WorkloadContext context, int processes = 4, int resources = 2) : IWorkload
{
    /// <summary>Shorter than the SIGSTOP pauses the schedule inflicts, so a paused holder's lease runs out under the others.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(2);

    public string Name => "lock";
    public int Processes => processes;

    private string Resource(int r) => context.Key(r, $"lock/{r}");

    private string FenceKey(int r) => context.Key(r, $"fence/{r}");

    public IEnumerable<string> FenceKeys => Enumerable.Range(0, resources).Select(FenceKey);

    public async Task RunProcessAsync(int process, Random random)
    {
        for (int cycle = 0; !context.Stop.IsCancellationRequested; cycle++)
        {
            int r = random.Next(resources);
            var resource = Resource(r);
            var client = context.AnyNode(random);
            var owner = $"p{process}-c{cycle}";
            var lockOwner = LockOwner.FromBytes(System.Text.Encoding.UTF8.GetBytes(owner));
            long? token = await AcquireAsync(process, client, resource, owner, lockOwner);
            if (token is { } t)
            {
                var fence = FenceKey(r);
                long? current = await RegisterWorkload.ReadAsync(context, process, client, fence, context.Stop);
                if (current is null || current < t)
                    await RegisterWorkload.CasAsync(context, process, client, fence, current, t, context.Stop);
                await ReleaseAsync(process, client, resource, owner, lockOwner);
                await context.ThinkAsync(random);
            }
            else
            {
                await context.ThinkAsync(random, 20, 80); // busy or unknown: let the holder finish
            }
        }
    }

    private async Task<long?> AcquireAsync(int process, KahunaClient client, string resource, string owner, LockOwner lockOwner)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Acquire(process, resource, owner, (long)Lease.TotalMilliseconds));
        try
        {
            var result = await client.TryLockAsync(resource, lockOwner, Lease, cancellationToken: context.Stop);
            if (!result.Acquired)
            {
                op.Fail("busy");
                return null;
            }
            op.Ok(o => o with { Token = result.FencingToken });
            return result.FencingToken;
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
            return null;
        }
    }

    private async Task ReleaseAsync(int process, KahunaClient client, string resource, string owner, LockOwner lockOwner)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Release(process, resource, owner));
        try
        {
            var result = await client.UnlockAsync(resource, lockOwner, cancellationToken: context.Stop);
            if (result.Released) op.Ok();
            else op.Fail(result.Status.ToString()); // not held by this owner any more (lease ran out): nothing released
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
        }
    }

    public Task<IReadOnlyList<int>> FinalReadsAsync(int process, TimeSpan within) =>
        FinalReads.ReadEveryKeyAsync(context, process, FenceKeys, within);
}
