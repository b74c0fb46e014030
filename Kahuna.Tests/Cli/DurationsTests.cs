using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Common;
using Xunit;

namespace Kahuna.Tests.Cli;

public sealed class DurationsTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("10s", 10_000)]
    [InlineData("5m", 300_000)]
    [InlineData("1h", 3_600_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("250", 250)]
    [InlineData("0", 0)]
    [InlineData(" 2S ", 2_000)]
    public void Parse_AcceptsUnitsAndPlainMilliseconds(string text, long expectedMs)
    {
        Assert.True(Durations.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    [InlineData("ten")]
    [InlineData("10x")]
    [InlineData("-5s")]
    [InlineData("s")]
    [InlineData("1e400")]
    [InlineData("10 s s")]
    public void Parse_RejectsAnythingElse(string? text)
    {
        Assert.False(Durations.TryParse(text, out _));
    }

    [Fact]
    public void Parse_WithSource_NamesTheSourceInTheError()
    {
        var ex = Assert.Throws<CliUsageException>(() => Durations.Parse("soon", "KAHUNA_TIMEOUT"));
        Assert.Contains("KAHUNA_TIMEOUT", ex.Message);
        Assert.Contains("500ms", ex.Message);
    }

    [Fact]
    public void Timestamps_AreUtcIsoWithMilliseconds()
    {
        var at = new DateTimeOffset(2026, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2));
        Assert.Equal("2026-01-02T03:04:05.678Z", Timestamps.Format(at));
        Assert.Equal("", Timestamps.ExpiresSuffix(null));
    }
}
