using Kahuna.Protocol.Client.Internal;
using Xunit;

namespace Kahuna.Tests.Protocol.Client;

public class DurationTextTests
{
    [Theory]
    [InlineData(250, "250 ms")]
    [InlineData(1500, "1.5 s")]
    [InlineData(10_000, "10 s")]
    [InlineData(119_000, "119 s")]
    [InlineData(150_000, "2.5 min")]
    public void WritesDurationsAsPeopleDo(int milliseconds, string expected) =>
        Assert.Equal(expected, DurationText.Of(TimeSpan.FromMilliseconds(milliseconds)));
}
