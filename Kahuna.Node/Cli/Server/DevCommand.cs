using System.CommandLine;
using System.Diagnostics;
using Kahuna.Node.Hosting;
using Spectre.Console;

namespace Kahuna.Node.Cli.Server;

/// <summary>
/// <c>kahuna dev</c>: a 3-node cluster on 127.0.0.1 inside this process, for trying Kahuna out. Embedded nodes
/// (rather than child processes) start faster, need no executable path, and stop together with one Ctrl+C.
/// </summary>
internal static class DevCommand
{
    public const int NodeCount = 3;

    /// <summary>Cluster ports sit this far above the client ports.</summary>
    public const int ClusterPortOffset = 100;

    public static Command Create(CliContext context)
    {
        var command = new Command("dev", $"Run a local {NodeCount}-node cluster (n1..n{NodeCount}) in this process on 127.0.0.1 until Ctrl+C");
        var data = new Option<string?>("--data") { Description = "Keep the data in this directory (subfolders n1..n3); default: a temporary directory deleted on exit", HelpName = "dir" };
        var port = new Option<int>("--port") { Description = "Client port of n1 (default 7070)", DefaultValueFactory = _ => 7070, HelpName = "port" };
        var partitions = new Option<int?>("--partitions") { Description = $"Partitions the key space is split into (default {NodeCount}, one per node; with --data, the number the data was created with)", HelpName = "n" };
        var config = new Option<string?>("--config") { Description = "An extra HOCON file applied to every node (e.g. kahuna.raft.read-mode = lease)", HelpName = "file" };
        command.Add(data);
        command.Add(port);
        command.Add(partitions);
        command.Add(config);
        command.Validators.Add(result =>
        {
            if (result.GetValue(port) is var first && (first < 1 || first + ClusterPortOffset + NodeCount - 1 > 65535))
                result.AddError($"--port: {first} leaves no room for the {NodeCount} client ports and the cluster ports {ClusterPortOffset} above them");
            if (result.GetValue(config) is { } file && !File.Exists(file))
                result.AddError($"--config: {file} does not exist");
        });
        command.SetAction((parseResult, cancellationToken) =>
            RunAsync(new DevSettings(parseResult.GetValue(data), parseResult.GetValue(port), parseResult.GetValue(partitions),
                parseResult.GetValue(config) is { } file ? Path.GetFullPath(file) : null), context, cancellationToken));
        return command;
    }

    /// <summary>The options of every node of the dev cluster.</summary>
    public static IReadOnlyList<NodeOptions> NodeOptionsFor(string dataRoot, int firstClientPort, int? partitions, string? configFile = null)
    {
        var ids = Enumerable.Range(1, NodeCount).Select(i => $"n{i}").ToList();
        // Every node lists every node as a seed, in the same order: a node restarted from --data then rejoins the others.
        var seeds = Enumerable.Range(0, NodeCount).Select(i => $"127.0.0.1:{firstClientPort + ClusterPortOffset + i}").ToList();
        return ids.Select((id, i) => new NodeOptions
        {
            NodeId = id,
            Host = "127.0.0.1",
            ClientPort = firstClientPort + i,
            ClusterPort = firstClientPort + ClusterPortOffset + i,
            DataDirectory = Path.Combine(dataRoot, id),
            Seeds = seeds,
            ClusterNodes = ids,
            Partitions = partitions,
            ReplicationFactor = NodeCount,
            ConfigFile = configFile,
            // A local playground: no tokens (authentication is off only here and with `start --insecure`).
            Insecure = true,
        }).ToList();
    }

    private sealed record DevSettings(string? Data, int Port, int? Partitions, string? ConfigFile);

    private static async Task<int> RunAsync(DevSettings settings, CliContext context, CancellationToken stopRequested)
    {
        bool temporary = settings.Data is null;
        var dataRoot = Path.GetFullPath(settings.Data ?? Path.Combine(Path.GetTempPath(), $"kahuna-dev-{Guid.NewGuid().ToString("N")[..12]}"));
        var allOptions = NodeOptionsFor(dataRoot, settings.Port, settings.Partitions, settings.ConfigFile);
        try
        {
            foreach (var options in allOptions)
                options.Validate();
        }
        catch (ArgumentException ex)
        {
            context.Error.WriteLine($"error: {ex.Message}");
            return ExitCodes.UsageError;
        }
        try
        {
            return await RunClusterAsync(allOptions, dataRoot, temporary, context, stopRequested);
        }
        finally
        {
            if (temporary)
                DeleteQuietly(dataRoot, context);
        }
    }

    private static async Task<int> RunClusterAsync(IReadOnlyList<NodeOptions> allOptions, string dataRoot, bool temporary,
        CliContext context, CancellationToken stopRequested)
    {
        context.Error.WriteLine($"starting {allOptions.Count} nodes...");
        var clock = Stopwatch.StartNew();
        // All at once: every node is given n1 as its seed, and the others keep trying to join until n1 is up.
        var attempts = await Task.WhenAll(allOptions.Select(options => NodeStarter.StartAsync(options, context, stopRequested)));
        var nodes = attempts.Select(a => a.Node).OfType<IRunningNode>().ToList();
        var failures = attempts.Select(a => a.Failure).OfType<StartFailure>().ToList();
        if (failures.Count > 0)
        {
            foreach (var failure in failures)
                context.Error.WriteLine($"error: {failure.Message}");
            foreach (var problem in await NodeLifetime.StopAllAsync(nodes, context.NodeStopTimeout))
                context.Error.WriteLine($"error: {problem}");
            return failures.Max(f => f.ExitCode);
        }
        clock.Stop();
        PrintReady(nodes, allOptions, dataRoot, temporary, clock.Elapsed, context);
        var stoppedByItself = await NodeLifetime.WaitAsync(nodes, stopRequested);
        if (stoppedByItself is null)
            context.Error.WriteLine($"stopping {nodes.Count} nodes...");
        var problems = await NodeLifetime.StopAllAsync(nodes, context.NodeStopTimeout);
        foreach (var problem in problems)
            context.Error.WriteLine($"error: {problem}");
        if (stoppedByItself is not null)
        {
            context.Error.WriteLine($"error: {NodeLifetime.TerminationReason(stoppedByItself)}");
            return ExitCodes.Error;
        }
        if (problems.Count > 0)
            return ExitCodes.Error;
        context.Out.WriteLine("dev cluster stopped");
        return ExitCodes.Success;
    }

    private static void PrintReady(IReadOnlyList<IRunningNode> nodes, IReadOnlyList<NodeOptions> allOptions, string dataRoot, bool temporary,
        TimeSpan took, CliContext context)
    {
        var table = new Table().AddColumns("node", "client endpoint", "cluster endpoint", "data (in data root)");
        foreach (var (node, options) in nodes.Zip(allOptions))
            table.AddRow(Markup.Escape(node.NodeId), node.ClientEndPoint.ToString(), $"{options.Host}:{options.ClusterPort}", Markup.Escape(Path.GetRelativePath(dataRoot, options.DataDirectory)));
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(context.Out),
        });
        console.Write(table);
        var endpoints = string.Join(",", nodes.Select(n => n.ClientEndPoint.ToString()));
        context.Out.WriteLine($"started {nodes.Count} nodes in {took.TotalSeconds:0.00} s");
        context.Out.WriteLine($"data root: {dataRoot}{(temporary ? " (temporary, deleted on exit)" : "")}");
        context.Out.WriteLine($"try: kahuna kv set hello world --endpoints {endpoints}");
        context.Out.WriteLine("press Ctrl+C to stop");
    }

    private static void DeleteQuietly(string directory, CliContext context)
    {
        try
        {
            if (Directory.Exists(directory))
                Directory.Delete(directory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            context.Error.WriteLine($"warning: could not delete {directory}: {ex.Message}");
        }
    }
}
