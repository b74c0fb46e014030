using System.Diagnostics;
using System.Globalization;
using Kahuna.Tests.Reliability.History;

namespace Kahuna.Tests.Faults.Workloads;

/// <summary>
/// The reads after the faults: every key of the run, read until one read is answered (each attempt is recorded, so an
/// unanswered one is an info read, which checkers ignore). A read the cluster never answers is a failure of the run.
/// </summary>
internal static class FinalReads
{
    public static async Task<IReadOnlyList<int>> ReadEveryKeyAsync(WorkloadContext context, int process, IEnumerable<string> keys, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        var random = new Random(process);
        var indices = new List<int>();
        foreach (var key in keys.Order(StringComparer.Ordinal))
        {
            while (true)
            {
                var op = context.Recorder.Invoke(HistoryOperation.Read(process, key));
                try
                {
                    var got = await context.AnyNode(random).GetAsync(key);
                    op.Ok(o => o with { Value = got.Found ? long.Parse(got.ValueAsString()!, CultureInfo.InvariantCulture) : null });
                    indices.Add(op.Index);
                    break;
                }
                catch (Exception ex) when (WorkloadContext.IsOperationFailure(ex))
                {
                    op.Info(WorkloadContext.Indeterminate(ex));
                    if (clock.Elapsed > within)
                        throw new TimeoutException($"the final read of {key} was not answered within {within.TotalSeconds:0} s: {ex.Message}");
                }
            }
        }
        return indices;
    }
}
