using Kahuna.Node.StateMachines.KeyValues;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

/// <summary>Runs alone (no parallel tests allocating beside it), so the heap measurement means something.</summary>
[CollectionDefinition(nameof(MemoryMeasurements), DisableParallelization = true)]
public sealed class MemoryMeasurements;

[Collection(nameof(MemoryMeasurements))]
public class KeyValueMemoryTests
{
    [Fact]
    public void StoreOverheadPerKey_StaysWellUnderBudget()
    {
        // Measured for 1M keys: ~128 B per key beyond the key string and the value array (~176 B with a TTL).
        // The budget is ~300 B; the bound here is loose so the test is about regressions, not noise.
        const int count = 200_000;
        var keys = Enumerable.Range(0, count).Select(index => "key:" + index.ToString("D7")).ToArray();
        var values = Enumerable.Range(0, count).Select(_ => new byte[128]).ToArray();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        var store = new KeyValueStore();
        for (var index = 0; index < count; index++)
        {
            store.Set(keys[index], values[index], 60_000, SetCondition.None, null, null, 1000);
        }

        var perKey = (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count;
        GC.KeepAlive(store);
        Assert.InRange(perKey, 1, 300);
    }
}
