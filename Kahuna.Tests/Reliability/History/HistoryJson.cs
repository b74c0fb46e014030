using System.Text;
using System.Text.Json;

namespace Kahuna.Tests.Reliability.History;

/// <summary>
/// Histories as JSON Lines: one operation per line, in invocation order, e.g.
/// <c>{"process":3,"f":"cas","key":"k1","invoke":1.25,"complete":1.2625,"status":"ok","value":4,"expected":2}</c>.
/// Line n holds the operation at index n-1, which is the index checkers use when they name operations.
/// </summary>
public static class HistoryJson
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new HistoryOperationConverter() } };

    public static string Serialize(HistoryOperation operation) => JsonSerializer.Serialize(operation, Options);

    public static HistoryOperation Parse(string line) =>
        JsonSerializer.Deserialize<HistoryOperation>(line, Options) ?? throw new JsonException("a history line cannot be null");

    public static void Write(TextWriter writer, IEnumerable<HistoryOperation> history)
    {
        foreach (var operation in history)
        {
            writer.Write(Serialize(operation));
            writer.Write('\n');
        }
    }

    /// <summary>Reads every line; blank lines are skipped. A bad line throws <see cref="InvalidDataException"/> naming its number.</summary>
    public static List<HistoryOperation> Read(TextReader reader)
    {
        var history = new List<HistoryOperation>();
        int lineNumber = 0;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                history.Add(Parse(line));
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
            {
                throw new InvalidDataException($"history line {lineNumber}: {e.Message}", e);
            }
        }
        return history;
    }

    public static void WriteFile(string path, IEnumerable<HistoryOperation> history)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        Write(writer, history);
    }

    public static List<HistoryOperation> ReadFile(string path)
    {
        using var reader = new StreamReader(path, Encoding.UTF8);
        return Read(reader);
    }
}
