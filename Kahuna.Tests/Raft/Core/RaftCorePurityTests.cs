using Xunit;

namespace Kahuna.Tests.Raft.Core;

/// <summary>The Raft core must stay pure: no Akka, network, clock, disk or shared randomness (DESIGN §3).</summary>
public sealed class RaftCorePurityTests
{
    private static readonly string[] Forbidden =
    [
        "using Akka", "System.Net", "DateTime.Now", "DateTime.UtcNow", "DateTimeOffset", "Stopwatch", "Environment.TickCount",
        "Task.Delay", "Thread.Sleep", "Random.Shared", "new Random(", "System.IO", "File.", "Console.",
    ];

    [Fact]
    public void CoreSources_ReferenceNoClockIoAkkaOrSharedRandom()
    {
        var root = RepositoryRoot();
        var files = Directory.GetFiles(Path.Combine(root, "Kahuna.Raft", "Core"), "*.cs", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var offences = (from f in files
                        from line in File.ReadLines(f).Select((text, i) => (text, i))
                        from bad in Forbidden
                        where line.text.Contains(bad, StringComparison.Ordinal) && !line.text.TrimStart().StartsWith("//") && !line.text.TrimStart().StartsWith("///")
                        select $"{Path.GetFileName(f)}:{line.i + 1}: {bad}").ToList();
        Assert.Empty(offences);
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Kahuna.Akka.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("repository root not found");
    }
}
