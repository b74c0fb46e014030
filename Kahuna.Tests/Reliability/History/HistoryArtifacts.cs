using System.Text;
using Kahuna.Tests.Reliability.Checkers;
using Xunit.Sdk;

namespace Kahuna.Tests.Reliability.History;

/// <summary>
/// Keeps the history of a failing run as a test artifact: <c>&lt;dir&gt;/&lt;test&gt;-&lt;seed&gt;.jsonl</c> plus a
/// <c>.txt</c> beside it with the checkers' reports. The default directory is <c>Kahuna.Tests/TestResults/histories</c>
/// (found by walking up from the test binaries), or <c>$KAHUNA_HISTORY_DIR</c> when set, so CI can collect it.
/// </summary>
public sealed class HistoryArtifacts
{
    public HistoryArtifacts(string directory) => Directory = directory;

    public static HistoryArtifacts Default { get; } = new(DefaultDirectory());

    public string Directory { get; }

    /// <summary>Writes the history (and the reports, if any) and returns the path of the .jsonl file.</summary>
    public string Save(string testName, long seed, IReadOnlyList<HistoryOperation> history, IEnumerable<CheckResult>? results = null)
    {
        System.IO.Directory.CreateDirectory(Directory);
        string stem = Path.Combine(Directory, $"{SafeFileName(testName)}-{seed}");
        string historyPath = stem + ".jsonl";
        HistoryJson.WriteFile(historyPath, history);
        if (results is not null)
            File.WriteAllText(stem + ".txt", string.Join("\n\n", results.Select(r => r.Describe())) + "\n", new UTF8Encoding(false));
        return historyPath;
    }

    /// <summary>
    /// Passes only if every result is Valid. Otherwise saves the history and fails the test with the reports and the
    /// path. Unknown fails too: a verdict nobody could reach is not a pass.
    /// </summary>
    public void AssertValid(string testName, long seed, IReadOnlyList<HistoryOperation> history, params CheckResult[] results)
    {
        if (results.Length == 0) throw new ArgumentException("nothing was checked", nameof(results));
        if (results.All(r => r.IsValid)) return;
        string path = Save(testName, seed, history, results);
        throw new XunitException(string.Join("\n", results.Select(r => r.Describe())) + $"\nhistory kept at {path}");
    }

    private static string SafeFileName(string name)
    {
        var invalid = Path.GetInvalidFileNameChars();
        var safe = new StringBuilder(name.Length);
        foreach (char c in name) safe.Append(invalid.Contains(c) || char.IsWhiteSpace(c) ? '_' : c);
        return safe.ToString();
    }

    private static string DefaultDirectory()
    {
        if (Environment.GetEnvironmentVariable("KAHUNA_HISTORY_DIR") is { Length: > 0 } configured) return configured;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Kahuna.Tests.csproj")))
                return Path.Combine(dir.FullName, "TestResults", "histories");
        }
        return Path.Combine(AppContext.BaseDirectory, "TestResults", "histories");
    }
}
