using Kahuna.Node.StateMachines.Common;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

public class OrderedKeyIndexTests
{
    [Fact]
    public void RandomAddsAndRemoves_MatchASortedSet()
    {
        var random = new Random(42);
        var index = new OrderedKeyIndex();
        var model = new SortedSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 20_000; step++)
        {
            var key = "k" + random.Next(3000).ToString("x");
            if (random.Next(3) == 0)
            {
                Assert.Equal(model.Remove(key), index.Remove(key));
            }
            else
            {
                Assert.Equal(model.Add(key), index.Add(key));
            }
        }

        Assert.Equal(model.Count, index.Count);
        Assert.Equal(model, index.EnumerateAll());
        foreach (var from in new[] { "", "k", "k5", "k7ff", "kz", "zz" })
        {
            Assert.Equal(model.Where(key => string.CompareOrdinal(key, from) >= 0), index.EnumerateFrom(from));
        }
    }

    [Fact]
    public void EmptyIndex_EnumeratesNothing_AndRemoveIsFalse()
    {
        var index = new OrderedKeyIndex();

        Assert.Empty(index.EnumerateFrom("a"));
        Assert.False(index.Remove("a"));
    }
}
