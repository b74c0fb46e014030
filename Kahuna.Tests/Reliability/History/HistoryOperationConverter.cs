using System.Text.Json;
using System.Text.Json.Serialization;

namespace Kahuna.Tests.Reliability.History;

/// <summary>
/// The JSON shape of one history line, written by hand so that it is exact: snake_case names, <c>complete</c> always
/// present (null when the client never heard back), <c>value</c> always present on reads (null = key absent, so an
/// absent read can never be mistaken for a missing field), other null fields omitted. Reading is strict: an unknown
/// property, a wrong type or a missing required field is an error, because a silently defaulted field is how a
/// checker ends up certifying something nobody recorded.
/// </summary>
public sealed class HistoryOperationConverter : JsonConverter<HistoryOperation>
{
    private static readonly Dictionary<OperationFunction, string> FunctionNames = new()
    {
        [OperationFunction.Read] = "read", [OperationFunction.Write] = "write", [OperationFunction.Cas] = "cas",
        [OperationFunction.Delete] = "delete", [OperationFunction.Acquire] = "acquire", [OperationFunction.Release] = "release",
        [OperationFunction.Next] = "next", [OperationFunction.Range] = "range", [OperationFunction.Transfer] = "transfer",
        [OperationFunction.ReadAll] = "read_all",
    };

    private static readonly Dictionary<string, OperationFunction> FunctionsByName = FunctionNames.ToDictionary(p => p.Value, p => p.Key);

    public static string NameOf(OperationFunction f) => FunctionNames[f];

    public static string NameOf(OperationStatus s) => s switch
    {
        OperationStatus.Ok => "ok",
        OperationStatus.Fail => "fail",
        _ => "info",
    };

    public override void Write(Utf8JsonWriter w, HistoryOperation op, JsonSerializerOptions options)
    {
        w.WriteStartObject();
        w.WriteNumber("process", op.Process);
        w.WriteString("f", NameOf(op.F));
        if (op.Key is null) w.WriteNull("key"); else w.WriteString("key", op.Key);
        w.WriteNumber("invoke", op.Invoke);
        if (op.Complete is { } complete) w.WriteNumber("complete", complete); else w.WriteNull("complete");
        w.WriteString("status", NameOf(op.Status));
        if (op.Value is { } value) w.WriteNumber("value", value);
        else if (op.F == OperationFunction.Read) w.WriteNull("value");
        WriteOptional(w, "expected", op.Expected, always: op.F == OperationFunction.Cas);
        if (op.Owner is not null) w.WriteString("owner", op.Owner);
        WriteOptional(w, "token", op.Token);
        WriteOptional(w, "lease_ms", op.LeaseMs);
        WriteOptional(w, "start", op.Start);
        WriteOptional(w, "count", op.Count);
        if (op.From is not null) w.WriteString("from", op.From);
        if (op.To is not null) w.WriteString("to", op.To);
        WriteOptional(w, "amount", op.Amount);
        if (op.Balances is not null)
        {
            w.WriteStartObject("balances");
            foreach (var (account, balance) in op.Balances.OrderBy(p => p.Key, StringComparer.Ordinal)) w.WriteNumber(account, balance);
            w.WriteEndObject();
        }
        if (op.Error is not null) w.WriteString("error", op.Error);
        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, long? value, bool always = false)
    {
        if (value is { } v) w.WriteNumber(name, v);
        else if (always) w.WriteNull(name);
    }

    public override HistoryOperation Read(ref Utf8JsonReader r, Type typeToConvert, JsonSerializerOptions options)
    {
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("a history line must be a JSON object");
        int? process = null;
        OperationFunction? f = null;
        double? invoke = null;
        OperationStatus? status = null;
        bool sawComplete = false;
        var op = new HistoryOperation { Process = 0, F = OperationFunction.Read, Invoke = 0, Status = OperationStatus.Info };
        var seen = new HashSet<string>(StringComparer.Ordinal);

        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string name = r.GetString()!;
            if (!seen.Add(name)) throw new JsonException($"duplicate property '{name}'");
            r.Read();
            switch (name)
            {
                case "process": process = r.GetInt32(); break;
                case "f":
                    string fName = RequireString(ref r, name);
                    f = FunctionsByName.TryGetValue(fName, out var known) ? known : throw new JsonException($"unknown f '{fName}'");
                    break;
                case "key": op = op with { Key = NullableString(ref r, name) }; break;
                case "invoke": invoke = r.GetDouble(); break;
                case "complete": sawComplete = true; op = op with { Complete = r.TokenType == JsonTokenType.Null ? null : r.GetDouble() }; break;
                case "status":
                    status = RequireString(ref r, name) switch
                    {
                        "ok" => OperationStatus.Ok,
                        "fail" => OperationStatus.Fail,
                        "info" => OperationStatus.Info,
                        var other => throw new JsonException($"unknown status '{other}'"),
                    };
                    break;
                case "value": op = op with { Value = NullableLong(ref r) }; break;
                case "expected": op = op with { Expected = NullableLong(ref r) }; break;
                case "owner": op = op with { Owner = NullableString(ref r, name) }; break;
                case "token": op = op with { Token = NullableLong(ref r) }; break;
                case "lease_ms": op = op with { LeaseMs = NullableLong(ref r) }; break;
                case "start": op = op with { Start = NullableLong(ref r) }; break;
                case "count": op = op with { Count = NullableLong(ref r) }; break;
                case "from": op = op with { From = NullableString(ref r, name) }; break;
                case "to": op = op with { To = NullableString(ref r, name) }; break;
                case "amount": op = op with { Amount = NullableLong(ref r) }; break;
                case "balances": op = op with { Balances = ReadBalances(ref r) }; break;
                case "error": op = op with { Error = NullableString(ref r, name) }; break;
                default: throw new JsonException($"unknown property '{name}'");
            }
        }

        if (process is null || f is null || invoke is null || status is null || !sawComplete)
            throw new JsonException("a history line needs process, f, invoke, complete and status");
        return op with { Process = process.Value, F = f.Value, Invoke = invoke.Value, Status = status.Value };
    }

    private static string RequireString(ref Utf8JsonReader r, string name) =>
        r.TokenType == JsonTokenType.String ? r.GetString()! : throw new JsonException($"'{name}' must be a string");

    private static string? NullableString(ref Utf8JsonReader r, string name) =>
        r.TokenType == JsonTokenType.Null ? null : RequireString(ref r, name);

    private static long? NullableLong(ref Utf8JsonReader r) => r.TokenType == JsonTokenType.Null ? null : r.GetInt64();

    private static Dictionary<string, long>? ReadBalances(ref Utf8JsonReader r)
    {
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw new JsonException("'balances' must be an object");
        var balances = new Dictionary<string, long>(StringComparer.Ordinal);
        while (r.Read() && r.TokenType != JsonTokenType.EndObject)
        {
            string account = r.GetString()!;
            r.Read();
            if (!balances.TryAdd(account, r.GetInt64())) throw new JsonException($"duplicate account '{account}'");
        }
        return balances;
    }
}
