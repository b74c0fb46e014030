using System.CommandLine;
using System.CommandLine.Parsing;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Bench.Client;

/// <summary>
/// <c>kahuna bench set|get|mixed|lock|sequence</c>: closed-loop client workloads against a running cluster
/// (<c>--endpoints</c>) or one started in this process (<c>--local N</c>). See README.md beside this file.
/// </summary>
public static class ClientBenchCommand
{
    public const string EndpointsVariable = "KAHUNA_ENDPOINTS";
    public const string DefaultEndpoints = "127.0.0.1:7070";

    private static readonly (BenchWorkload Workload, string Description)[] Workloads =
    [
        (BenchWorkload.Set, "Write random values to keys bench:0..N-1; reports ops/s and latency of successes, misses, errors and timeouts"),
        (BenchWorkload.Get, "Read keys bench:0..N-1 (written before the warm-up); an absent key is a miss"),
        (BenchWorkload.Mixed, "--read-pct % reads, the rest writes, over the written key space"),
        (BenchWorkload.Lock, "TryLock a lock named bench:n, then Unlock it (timed together); a busy lock is a miss"),
        (BenchWorkload.Sequence, $"Take the next value of the one shared sequence {ClientBenchOptions.SequenceName}; checks each worker sees increasing values"),
    ];

    /// <summary>One subcommand per workload.</summary>
    public static IEnumerable<Command> CreateAll(CliContext context) =>
        Workloads.Select(w => Create(w.Workload, w.Description, context));

    private static Command Create(BenchWorkload workload, string description, CliContext context)
    {
        var command = new ClientBenchWorkloadCommand(workload, description);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var (options, problems) = command.OptionSet.Bind(parseResult, context);
            if (options is null)
            {
                var output = new CommandOutput(context, parseResult.GetValue(command.OptionSet.Json));
                foreach (var problem in problems.SkipLast(1))
                    await context.Error.WriteLineAsync($"error: {problem}");
                output.Fault("UsageError", problems[^1], ExitCodes.UsageError);
                await context.Error.WriteLineAsync($"see 'kahuna bench {command.Name} --help'");
                return ExitCodes.UsageError;
            }
            return await ClientBenchSession.RunAsync(options, context, cancellationToken);
        });
        return command;
    }
}

/// <summary>A workload's command; it keeps its flags so they can be bound (and tests can bind them without running).</summary>
internal sealed class ClientBenchWorkloadCommand : Command
{
    public ClientBenchWorkloadCommand(BenchWorkload workload, string description)
        : base(workload.ToString().ToLowerInvariant(), description)
    {
        Workload = workload;
        OptionSet = ClientBenchOptionSet.AddTo(this, workload);
    }

    public BenchWorkload Workload { get; }

    public ClientBenchOptionSet OptionSet { get; }
}

/// <summary>The flags of one workload command (only those that mean something for it) and their binding to options.</summary>
internal sealed class ClientBenchOptionSet
{
    private readonly BenchWorkload _workload;
    private readonly Option<string?> _endpoints = new("--endpoints") { Description = $"Comma-separated host:port list of a running cluster (env {ClientBenchCommand.EndpointsVariable}; default {ClientBenchCommand.DefaultEndpoints})", HelpName = "host:port,..." };
    private readonly Option<int?> _local = new("--local") { Description = "Start N nodes in this process instead (127.0.0.1, temporary data deleted at the end)", HelpName = "n" };
    private readonly Option<int?> _partitions = new("--partitions") { Description = "Partitions of the --local cluster (default one per node)", HelpName = "n" };
    private readonly Option<bool> _persistent = new("--persistent") { Description = "Replicated, fsynced keys and locks (the default)" };
    private readonly Option<bool> _ephemeral = new("--ephemeral") { Description = "Leader-memory keys and locks (fast, lost on leader change)" };
    private readonly Option<int> _concurrency = new("--concurrency") { Description = "Closed-loop workers, one operation in flight each", DefaultValueFactory = _ => 64, HelpName = "n" };
    private readonly Option<TimeSpan?> _duration = PhaseLength("--duration", "Measured time (default 20s)");
    private readonly Option<TimeSpan?> _warmup = PhaseLength("--warmup", "Unmeasured time before it (default 5s)");
    private readonly Option<int> _keySpace = new("--key-space") { Description = "Keys (or locks) prefix0..prefixN-1", DefaultValueFactory = _ => 10_000, HelpName = "n" };
    private readonly Option<string> _keyPrefix = new("--key-prefix") { Description = "Key prefix", DefaultValueFactory = _ => "bench:", HelpName = "text" };
    private readonly Option<string> _keyDist = new("--key-dist") { Description = "uniform (random per operation) or sequential (one shared round-robin counter)", DefaultValueFactory = _ => "uniform", HelpName = "uniform|sequential" };
    private readonly Option<int> _valueSize = new("--value-size") { Description = "Bytes per value, random per write", DefaultValueFactory = _ => 128, HelpName = "bytes" };
    private readonly Option<int> _readPct = new("--read-pct") { Description = "Percentage of reads", DefaultValueFactory = _ => 50, HelpName = "0-100" };
    private readonly Option<TimeSpan?> _lockLease = OptionFactory.Duration("--lock-lease", "Lease of each lock (default 10s)");
    private readonly Option<int?> _batch = new("--batch") { Description = "Keys per set or get operation, sent as one SetMany / GetMany (default 1: Set / Get)", HelpName = "n" };
    private readonly Option<int?> _count = new("--count") { Description = "Values per sequence operation (a range from the leader's reserved block; default 1)", HelpName = "n" };
    private readonly Option<TimeSpan?> _timeout = OptionFactory.Duration("--timeout", "Per-operation limit, retries included; slower counts as a timeout (default 10s)");
    private readonly Option<int> _connections = new("--connections") { Description = "Client connections per endpoint", DefaultValueFactory = _ => ClientBenchOptions.DefaultConnections, HelpName = "n" };
    private readonly Option<bool> _noLeaderRouting = new("--no-leader-routing") { Description = "Send requests to the endpoints in turn and let nodes forward them (to see what the client's leader routing saves)" };
    private readonly Option<int> _seed = new("--seed") { Description = "Seed of the random choices (default 0: from the clock)", HelpName = "n" };
    private readonly Option<bool> _noSeed = new("--no-seed") { Description = "Do not write the key space before the warm-up" };
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON object with every result (progress still goes to stderr)" };
    private readonly Option<string?> _csv = new("--csv") { Description = "Append result rows to this CSV file (header when new; peerbench's columns)", HelpName = "file" };
    private readonly Option<string?> _config = new("--config") { Description = "A HOCON file applied to the --local nodes (e.g. kahuna.raft.read-mode = lease)", HelpName = "file" };
    private readonly Option<string?> _token = new("--token") { Description = "Client token for --endpoints that require one (env KAHUNA_TOKEN)", HelpName = "secret" };
    private readonly Option<string?> _label = new("--label") { Description = "Label of the CSV rows (default kahuna-persistent / kahuna-ephemeral)", HelpName = "text" };

    private ClientBenchOptionSet(BenchWorkload workload) => _workload = workload;

    /// <summary>
    /// Adds every flag to <paramref name="command"/>. Those that mean nothing for this workload (--read-pct for set,
    /// --key-space for sequence, …) are accepted but hidden from its help, so a script can loop over workloads with
    /// one set of flags.
    /// </summary>
    public static ClientBenchOptionSet AddTo(Command command, BenchWorkload workload)
    {
        var set = new ClientBenchOptionSet(workload);
        bool keyed = workload != BenchWorkload.Sequence;
        bool seeded = workload is BenchWorkload.Get or BenchWorkload.Mixed;
        var options = new (Option Option, bool Relevant)[]
        {
            (set._endpoints, true), (set._local, true), (set._partitions, true), (set._config, true), (set._token, true),
            (set._persistent, true), (set._ephemeral, true),
            (set._concurrency, true), (set._duration, true), (set._warmup, true),
            (set._keySpace, keyed), (set._keyPrefix, keyed), (set._keyDist, keyed),
            (set._valueSize, workload is BenchWorkload.Set || seeded),
            (set._readPct, workload == BenchWorkload.Mixed),
            (set._batch, workload is BenchWorkload.Set or BenchWorkload.Get or BenchWorkload.Mixed),
            (set._lockLease, workload == BenchWorkload.Lock), (set._count, workload == BenchWorkload.Sequence),
            (set._timeout, true), (set._connections, true), (set._noLeaderRouting, true), (set._seed, true), (set._noSeed, seeded),
            (set.Json, true), (set._csv, true), (set._label, true),
        };
        foreach (var (option, relevant) in options)
        {
            option.Hidden = !relevant;
            command.Add(option);
        }
        return set;
    }

    /// <summary>The options, or null with every problem found (a usage error).</summary>
    public (ClientBenchOptions? Options, IReadOnlyList<string> Problems) Bind(ParseResult parse, CliContext context)
    {
        var problems = new List<string>();
        string? endpoints = parse.GetValue(_endpoints);
        int local = parse.GetValue(_local) ?? 0;
        if (endpoints is not null && parse.GetValue(_local) is not null)
            problems.Add("--endpoints and --local: give one of them (a running cluster, or one started here)");
        if (parse.GetValue(_local) is < 1)
            problems.Add("--local: at least 1 node");
        if (local == 0 && parse.GetResult(_partitions) is { Implicit: false })
            problems.Add("--partitions: only with --local (a running cluster has its own)");
        if (parse.GetValue(_persistent) && parse.GetValue(_ephemeral))
            problems.Add("--persistent and --ephemeral: choose one");
        var distribution = KeyDistribution.Uniform;
        switch (Value(parse, _keyDist, "uniform").Trim().ToLowerInvariant())
        {
            case "uniform": break;
            case "sequential": distribution = KeyDistribution.Sequential; break;
            case var other: problems.Add($"--key-dist: '{other}' is neither uniform nor sequential"); break;
        }
        var duration = parse.GetValue(_duration) ?? TimeSpan.FromSeconds(20);
        if (duration < TimeSpan.FromSeconds(1))
            problems.Add("--duration: at least 1s");
        var endpointList = (endpoints ?? context.Variable(ClientBenchCommand.EndpointsVariable) ?? ClientBenchCommand.DefaultEndpoints)
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = new ClientBenchOptions
        {
            Workload = _workload,
            Durability = parse.GetValue(_ephemeral) ? Durability.Ephemeral : Durability.Persistent,
            Endpoints = local > 0 ? [] : endpointList,
            LocalNodes = Math.Max(0, local),
            LocalPartitions = parse.GetValue(_partitions),
            LocalConfigFile = parse.GetValue(_config) is { } file ? Path.GetFullPath(file) : null,
            Token = parse.GetValue(_token) ?? Environment.GetEnvironmentVariable("KAHUNA_TOKEN"),
            Concurrency = parse.GetValue(_concurrency),
            Duration = duration,
            Warmup = parse.GetValue(_warmup) ?? TimeSpan.FromSeconds(5),
            KeySpace = Value(parse, _keySpace, 10_000),
            KeyPrefix = Value(parse, _keyPrefix, "bench:"),
            KeyDistribution = distribution,
            ValueSize = Value(parse, _valueSize, 128),
            ReadPercent = Value(parse, _readPct, 50),
            LockLease = parse.GetValue(_lockLease) ?? TimeSpan.FromSeconds(10),
            SequenceCount = parse.GetValue(_count) ?? 1,
            Batch = parse.GetValue(_batch) ?? 1,
            Timeout = parse.GetValue(_timeout) ?? TimeSpan.FromSeconds(10),
            Connections = parse.GetValue(_connections),
            RouteToLeaders = !parse.GetValue(_noLeaderRouting),
            RandomSeed = parse.GetValue(_seed),
            SkipSeeding = Value(parse, _noSeed, false),
            Json = parse.GetValue(Json),
            CsvPath = parse.GetValue(_csv),
            Label = parse.GetValue(_label),
        };
        if (options.LocalNodes == 0 && problems.Count == 0)
            problems.AddRange(EndpointProblems(endpointList));
        problems.AddRange(options.Validate());
        return problems.Count == 0 ? (options, problems) : (null, problems.Distinct().ToList());
    }

    private static T Value<T>(ParseResult parse, Option<T> option, T fallback) => parse.GetValue(option) ?? fallback;

    private static IEnumerable<string> EndpointProblems(IReadOnlyList<string> endpoints)
    {
        if (endpoints.Count == 0)
            yield break; // Validate() reports it
        string? problem = null;
        try
        {
            Protocol.Client.KahunaClientOptions.FromEndpoints(string.Join(',', endpoints)).Validate();
        }
        catch (ArgumentException ex)
        {
            problem = $"--endpoints: {ex.Message}";
        }
        if (problem is not null)
            yield return problem;
    }

    /// <summary>
    /// A phase length. Unlike other durations it needs a unit (or is 0): a bare "20" would be 20 milliseconds,
    /// which nobody benchmarking means.
    /// </summary>
    private static Option<TimeSpan?> PhaseLength(string name, string description) => new(name)
    {
        Description = description + " — with a unit: 500ms, 10s, 1m",
        HelpName = "duration",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value.Trim() : "";
            if (text != "0" && (text.Length == 0 || !char.IsAsciiLetter(text[^1])))
            {
                result.AddError($"{name}: '{text}' needs a unit, e.g. {text}s");
                return null;
            }
            if (Durations.TryParse(text, out var value))
                return value;
            result.AddError($"{name}: '{text}' is not a duration ({Durations.Forms})");
            return null;
        },
    };
}
