using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Workloads;

/// <summary>next (one value) and range (2–5 values) on a few sequences, through random nodes.</summary>
internal sealed class SequenceWorkload(WorkloadContext context, int processes = 3, int sequences = 2) : IWorkload
{
    public string Name => "sequence";
    public int Processes => processes;

    public async Task RunProcessAsync(int process, Random random)
    {
        while (!context.Stop.IsCancellationRequested)
        {
            int s = random.Next(sequences);
            var name = context.Key(s + 2, $"seq/{s}");
            int count = random.Next(2) == 0 ? 1 : random.Next(2, 6);
            var op = context.Recorder.Invoke(count == 1 ? HistoryOperation.Next(process, name) : HistoryOperation.Range(process, name, count));
            try
            {
                var range = await context.AnyNode(random).NextSequenceAsync(name, count, cancellationToken: context.Stop);
                if (range.Count != count)
                    throw new InvalidOperationException($"asked {count} values of {name}, got {range.Count}");
                op.Ok(o => count == 1 ? o with { Value = range.Start } : o with { Start = range.Start });
            }
            catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
            {
                op.Info(WorkloadContext.Indeterminate(ex));
            }
            await context.ThinkAsync(random);
        }
    }

    public Task<IReadOnlyList<int>> FinalReadsAsync(int process, TimeSpan within) => Task.FromResult<IReadOnlyList<int>>([]);
}
