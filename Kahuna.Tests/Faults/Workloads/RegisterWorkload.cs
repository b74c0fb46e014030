using System.Diagnostics;
using System.Globalization;
using Kahuna.Protocol.Client;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Workloads;

/// <summary>
/// Read / write / compare-and-set on a few keys, each written value unique in the run, through random nodes. Keys
/// rotate every <see cref="EpochLength"/> (new names), so no key's history grows beyond what the linearizability search
/// checks quickly, however long the run. Every key ever used is read at the end.
/// Half of the reads and writes go as a GetMany / SetMany of the key together with a scratch key of another
/// partition (not checked), so the multi-key paths (fan-out, one operation id per partition, retries under faults)
/// must keep each key a linearizable register too. A tenth of the operations delete the key (alone, or by a DeleteMany
/// with the scratch key): a delete is a write of "absent", and the next writes recreate the key over its tombstone.
/// </summary>
internal sealed class RegisterWorkload(WorkloadContext context, int processes = 5, int keysPerEpoch = 5) : IWorkload
{
    public static readonly TimeSpan EpochLength = TimeSpan.FromSeconds(20);

    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly HashSet<string> _usedKeys = new(StringComparer.Ordinal);
    private long _nextValue;

    public string Name => "register";
    public int Processes => processes;

    public IReadOnlyCollection<string> UsedKeys
    {
        get { lock (_usedKeys) return _usedKeys.ToList(); }
    }

    private string CurrentKey(Random random)
    {
        long epoch = (long)(_clock.Elapsed / EpochLength);
        int k = random.Next(keysPerEpoch);
        var key = context.Key(k, $"reg/{epoch}/{k}");
        lock (_usedKeys) _usedKeys.Add(key);
        return key;
    }

    public async Task RunProcessAsync(int process, Random random)
    {
        var lastSeen = new Dictionary<string, long?>(StringComparer.Ordinal);
        while (!context.Stop.IsCancellationRequested)
        {
            var key = CurrentKey(random);
            var client = context.AnyNode(random);
            int dice = random.Next(100);
            if (dice < 25) lastSeen[key] = await ReadAsync(process, client, key);
            else if (dice < 50) lastSeen[key] = await ReadManyAsync(process, client, key, ScratchKey(process));
            else if (dice < 60) await WriteAsync(process, client, key, Interlocked.Increment(ref _nextValue));
            else if (dice < 70) await WriteManyAsync(process, client, key, ScratchKey(process), Interlocked.Increment(ref _nextValue));
            else if (dice < 75) await DeleteAsync(process, key, async () => await client.DeleteAsync(key, cancellationToken: context.Stop));
            else if (dice < 80) await DeleteAsync(process, key, async () => await client.DeleteManyAsync([key, ScratchKey(process)], cancellationToken: context.Stop));
            else await CasAsync(process, client, key, lastSeen.GetValueOrDefault(key), Interlocked.Increment(ref _nextValue));
            await context.ThinkAsync(random);
        }
    }

    /// <summary>Reads a key and records it; returns the value seen (null when absent or unknown).</summary>
    public static Task<long?> ReadAsync(WorkloadContext context, int process, KahunaClient client, string key, CancellationToken cancellation) =>
        RecordReadAsync(context, process, key, () => client.GetAsync(key, cancellationToken: cancellation));

    private Task<long?> ReadAsync(int process, KahunaClient client, string key) => ReadAsync(context, process, client, key, context.Stop);

    /// <summary>Reads the key and a scratch key in one GetMany; records only the key.</summary>
    private Task<long?> ReadManyAsync(int process, KahunaClient client, string key, string scratch) =>
        RecordReadAsync(context, process, key, async () => (await client.GetManyAsync([key, scratch], cancellationToken: context.Stop))[0]);

    /// <summary>Records one read of <paramref name="key"/> done by <paramref name="read"/>.</summary>
    private static async Task<long?> RecordReadAsync(WorkloadContext context, int process, string key, Func<Task<GetResult>> read)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Read(process, key));
        try
        {
            var got = await read();
            long? value = got.Found ? long.Parse(got.ValueAsString()!, CultureInfo.InvariantCulture) : null;
            op.Ok(o => o with { Value = value });
            return value;
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
            return null;
        }
    }

    private Task WriteAsync(int process, KahunaClient client, string key, long value) =>
        RecordWriteAsync(process, key, value, async () => (await client.SetAsync(key, Text(value), cancellationToken: context.Stop)).Succeeded);

    /// <summary>Writes the key and a scratch key in one SetMany (two partitions' parts); records only the key.</summary>
    private Task WriteManyAsync(int process, KahunaClient client, string key, string scratch, long value) =>
        RecordWriteAsync(process, key, value, async () =>
        {
            await client.SetManyAsync([KeyValuePair.Create(key, Text(value)), KeyValuePair.Create(scratch, Text(value))],
                cancellationToken: context.Stop);
            return true;
        });

    /// <summary>Records one unconditional write of <paramref name="key"/> done by <paramref name="write"/> (false: not set).</summary>
    private async Task RecordWriteAsync(int process, string key, long value, Func<Task<bool>> write)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Write(process, key, value));
        try
        {
            if (await write()) op.Ok();
            else op.Fail("not set");
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
        }
    }

    /// <summary>Records one delete of <paramref name="key"/> done by <paramref name="delete"/>; finding it absent is a success too.</summary>
    private async Task DeleteAsync(int process, string key, Func<Task> delete)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Delete(process, key));
        try
        {
            await delete();
            op.Ok();
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
        }
    }

    /// <summary>A key of another partition than most, per process; its values are never checked.</summary>
    private string ScratchKey(int process) => context.Key(keysPerEpoch + 1, $"scratch/{process}");

    /// <summary>Compare-and-set: expected null means "only if absent". A precondition failure certainly changed nothing.</summary>
    public static async Task<bool> CasAsync(WorkloadContext context, int process, KahunaClient client, string key, long? expected, long value, CancellationToken cancellation)
    {
        var op = context.Recorder.Invoke(HistoryOperation.Cas(process, key, expected, value));
        try
        {
            var set = expected is { } e
                ? await client.CompareValueAndSetAsync(key, Text(value), Text(e), cancellationToken: cancellation)
                : await client.SetAsync(key, Text(value), flags: Kahuna.Protocol.Messages.SetFlags.IfNotExists, cancellationToken: cancellation);
            if (set.Succeeded) op.Ok();
            else op.Fail("precondition failed");
            return set.Succeeded;
        }
        catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
        {
            op.Info(WorkloadContext.Indeterminate(ex));
            return false;
        }
    }

    private Task CasAsync(int process, KahunaClient client, string key, long? expected, long value) =>
        CasAsync(context, process, client, key, expected, value, context.Stop);

    public async Task<IReadOnlyList<int>> FinalReadsAsync(int process, TimeSpan within) =>
        await FinalReads.ReadEveryKeyAsync(context, process, UsedKeys, within);

    public static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
