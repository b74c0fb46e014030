using Kahuna.Node.Cli;
using Kahuna.Tests.Cli.Support;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>`kahuna start` and `kahuna dev` with a fake launcher: ready lines, clean stop on Ctrl+C, failures.</summary>
public sealed class ServerCommandTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Start_PrintsReadyLine_AndStopsCleanlyWhenInterrupted()
    {
        using var data = new TempDirectory();
        var launcher = new FakeNodeLauncher();
        var cli = new CliRunner { Launcher = launcher };
        using var interrupt = new CancellationTokenSource();

        var running = cli.RunAsync(interrupt.Token, "start", "--node-id", "n1", "--port", "7777", "--cluster-port", "7877", "--data", data.Path);
        await launcher.AllStarted.Task.WaitAsync(Bound);
        interrupt.Cancel();
        var run = await running.WaitAsync(Bound);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains($"node n1 ready: client=127.0.0.1:7777 cluster=127.0.0.1:7877 data={data.Path}", run.Out);
        Assert.Contains("node n1 stopped", run.Out);
        var node = launcher.Nodes["n1"];
        Assert.True(node.StopCalled);
        Assert.True(node.Disposed);
    }

    [Fact]
    public async Task Start_WithoutNodeId_ExitsTwo_WithoutStartingAnything()
    {
        var launcher = new FakeNodeLauncher();

        var run = await new CliRunner { Launcher = launcher }.RunAsync("start");

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains("node id is required", run.Error);
        Assert.Empty(launcher.Options);
    }

    [Theory]
    [InlineData("--partitions", "0", "partitions")]
    [InlineData("--cluster-nodes", "n2,n3", "do not include this node")]
    [InlineData("--port", "70000", "out of range")]
    public async Task Start_WithInvalidOptions_ExitsTwo_WithTheValidationMessage(string flag, string value, string message)
    {
        var run = await new CliRunner().RunAsync("start", "--node-id", "n1", flag, value);

        Assert.Equal(ExitCodes.UsageError, run.ExitCode);
        Assert.Contains(message, run.Error);
    }

    [Fact]
    public async Task Start_WhenTheNodeFailsToStart_ExitsThree_WithTheReason()
    {
        using var data = new TempDirectory();
        var launcher = new FakeNodeLauncher();
        launcher.Failures["n1"] = new IOException("address already in use");

        var run = await new CliRunner { Launcher = launcher }.RunAsync("start", "--node-id", "n1", "--data", data.Path);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("node n1 failed to start: address already in use", run.Error);
    }

    [Fact]
    public async Task Start_WithAnUnusableDataDirectory_ExitsThree()
    {
        using var data = new TempDirectory();
        var blocker = Path.Combine(data.Path, "a-file");
        await File.WriteAllTextAsync(blocker, "not a directory");
        var launcher = new FakeNodeLauncher();

        var run = await new CliRunner { Launcher = launcher }.RunAsync("start", "--node-id", "n1", "--data", Path.Combine(blocker, "n1"));

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("cannot use data directory", run.Error);
        Assert.Empty(launcher.Options);
    }

    [Fact]
    public async Task Start_WhenTheNodeStopsByItself_ExitsThree()
    {
        using var data = new TempDirectory();
        var launcher = new FakeNodeLauncher();
        var running = new CliRunner { Launcher = launcher }.RunAsync("start", "--node-id", "n1", "--data", data.Path);
        await launcher.AllStarted.Task.WaitAsync(Bound);

        launcher.Nodes["n1"].Crash(new InvalidOperationException("journal corrupted"));
        var run = await running.WaitAsync(Bound);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("node n1 stopped unexpectedly: journal corrupted", run.Error);
    }

    [Fact]
    public async Task Start_WhenTheNodeDoesNotStopInTime_ExitsThree()
    {
        using var data = new TempDirectory();
        var launcher = new FakeNodeLauncher { NodesHangOnStop = true };
        var cli = new CliRunner { Launcher = launcher, NodeStopTimeout = TimeSpan.FromMilliseconds(100) };
        using var interrupt = new CancellationTokenSource();
        var running = cli.RunAsync(interrupt.Token, "start", "--node-id", "n1", "--data", data.Path);
        await launcher.AllStarted.Task.WaitAsync(Bound);

        interrupt.Cancel();
        var run = await running.WaitAsync(Bound);

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("did not stop within", run.Error);
    }

    [Fact]
    public async Task Dev_StartsThreeNodes_PrintsEndpointsAndExample_AndDeletesItsTemporaryData()
    {
        var launcher = new FakeNodeLauncher(expectedNodes: 3);
        using var interrupt = new CancellationTokenSource();
        var running = new CliRunner { Launcher = launcher }.RunAsync(interrupt.Token, "dev", "--port", "17070", "--partitions", "4");
        await launcher.AllStarted.Task.WaitAsync(Bound);
        var dataRoot = Path.GetDirectoryName(launcher.Nodes["n1"].Options.DataDirectory)!;
        Assert.True(Directory.Exists(dataRoot));

        interrupt.Cancel();
        var run = await running.WaitAsync(Bound);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        foreach (var endpoint in new[] { "127.0.0.1:17070", "127.0.0.1:17071", "127.0.0.1:17072", "127.0.0.1:17170", "127.0.0.1:17172" })
            Assert.Contains(endpoint, run.Out);
        Assert.Contains("kahuna kv set hello world --endpoints 127.0.0.1:17070,127.0.0.1:17071,127.0.0.1:17072", run.Out);
        Assert.Matches(@"started 3 nodes in \d+\.\d\d s", run.Out);
        Assert.All(launcher.Nodes.Values, node => Assert.True(node.StopCalled));
        Assert.False(Directory.Exists(dataRoot), "the temporary data directory is deleted on exit");
    }

    [Fact]
    public async Task Dev_GivesEveryNodeTheSameSeedAndClusterNodes()
    {
        using var data = new TempDirectory();
        var launcher = new FakeNodeLauncher(expectedNodes: 3);
        using var interrupt = new CancellationTokenSource();
        var config = Path.Combine(data.Path, "extra.conf");
        File.WriteAllText(config, "kahuna.raft.read-mode = lease");
        var running = new CliRunner { Launcher = launcher }.RunAsync(interrupt.Token, "dev", "--port", "18000", "--data", data.Path, "--config", config);
        await launcher.AllStarted.Task.WaitAsync(Bound);
        interrupt.Cancel();
        var run = await running.WaitAsync(Bound);

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        var options = launcher.Options.OrderBy(o => o.NodeId).ToList();
        Assert.Equal(["n1", "n2", "n3"], options.Select(o => o.NodeId));
        Assert.Equal([18000, 18001, 18002], options.Select(o => o.ClientPort));
        Assert.Equal([18100, 18101, 18102], options.Select(o => o.ClusterPort));
        Assert.All(options, o =>
        {
            Assert.Equal(["127.0.0.1:18100", "127.0.0.1:18101", "127.0.0.1:18102"], o.Seeds);
            Assert.True(o.Insecure, "kahuna dev is a local playground without tokens");
            Assert.Equal(["n1", "n2", "n3"], o.ClusterNodes);
            Assert.Null(o.Partitions); // the recorded layout, or one partition per node
            Assert.Equal(Path.Combine(data.Path, o.NodeId), o.DataDirectory);
            Assert.Equal(config, o.ConfigFile);
        });
        Assert.True(Directory.Exists(Path.Combine(data.Path, "n2")), "data given with --data is kept");
    }

    [Fact]
    public async Task Dev_WhenOneNodeFailsToStart_StopsTheOthers_AndExitsThree()
    {
        var launcher = new FakeNodeLauncher(expectedNodes: 2);
        launcher.Failures["n2"] = new IOException("port 19001 is in use");

        var run = await new CliRunner { Launcher = launcher }.RunAsync("dev", "--port", "19000");

        Assert.Equal(ExitCodes.Error, run.ExitCode);
        Assert.Contains("node n2 failed to start: port 19001 is in use", run.Error);
        Assert.All(launcher.Nodes.Values, node => Assert.True(node.StopCalled));
        Assert.Equal(2, launcher.Nodes.Count);
    }
}
