using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Kahuna.Protocol;

namespace Kahuna.Node.Cli.Common;

/// <summary>
/// Where a command reports what happened, in human or JSON form. Human mode: results on stdout, negative
/// outcomes and errors on stderr (so <c>$(kahuna kv get k)</c> captures only a value). JSON mode: exactly one
/// object on stdout per command, always with <c>status</c>; errors also go to stderr as text.
/// Every method returns the exit code to return.
/// </summary>
public sealed class CommandOutput(CliContext context, bool json)
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keys and values are the user's own text: keep them readable instead of \u-escaping non-ASCII.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public bool IsJson => json;

    /// <summary>A successful result: the human line on stdout (nothing when null), or the JSON object with status Ok.</summary>
    public int Ok(string? human, Action<Utf8JsonWriter> fields)
    {
        if (json)
            WriteJson(KahunaStatus.Ok.ToString(), fields);
        else if (human is not null)
            context.Out.WriteLine(human);
        return ExitCodes.Success;
    }

    /// <summary>A normal negative answer (NotFound, Busy, PreconditionFailed, NotOwner): exit code 1.</summary>
    public int Negative(KahunaStatus status, string human, Action<Utf8JsonWriter> fields)
    {
        if (json)
            WriteJson(status.ToString(), fields);
        else
            context.Error.WriteLine(human);
        return ExitCodes.ForStatus(status);
    }

    /// <summary>A failure: the message on stderr, and in JSON mode an object with status and message on stdout.</summary>
    public int Fault(string status, string message, int exitCode)
    {
        context.Error.WriteLine($"error: {message}");
        if (json)
            WriteJson(status, w => w.WriteString("message", message));
        return exitCode;
    }

    /// <summary>A remark for people (stderr, human mode only); never part of a result.</summary>
    public void Note(string text)
    {
        if (!json)
            context.Error.WriteLine(text);
    }

    private void WriteJson(string status, Action<Utf8JsonWriter> fields)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("status", status);
            fields(writer);
            writer.WriteEndObject();
        }
        context.Out.WriteLine(Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}

/// <summary>JSON helpers shared by the commands.</summary>
public static class JsonFields
{
    /// <summary>Writes an ISO 8601 UTC time, or null when there is none.</summary>
    public static void WriteTimestamp(this Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (value is { } at)
            writer.WriteString(name, Timestamps.Format(at));
        else
            writer.WriteNull(name);
    }
}
