using System.CommandLine;
using Kahuna.Node.Cli;
using Kahuna.Node.Cli.Server;
using Kahuna.Node.Hosting;
using Xunit;

namespace Kahuna.Tests.Cli;

/// <summary>How `kahuna start` turns flags and KAHUNA_* variables into NodeOptions: flag, else variable, else default.</summary>
public sealed class StartOptionsBindingTests
{
    private readonly Dictionary<string, string> _environment = new();

    private NodeOptions Bind(params string[] args)
    {
        var binder = new NodeOptionsBinder();
        var command = new Command("start");
        foreach (var option in binder.All)
            command.Add(option);
        var parseResult = command.Parse(args);
        Assert.Empty(parseResult.Errors);
        var context = new CliContext { Out = TextWriter.Null, Error = TextWriter.Null, GetEnvironmentVariable = name => _environment.GetValueOrDefault(name) };
        return binder.Bind(parseResult, context);
    }

    [Fact]
    public void Flags_SetEveryOption()
    {
        var options = Bind("--node-id", "n2", "--host", "10.0.0.2", "--port", "8000", "--cluster-port", "8100", "--data", "/tmp/kahuna-n2",
            "--seeds", "10.0.0.1:8100, 10.0.0.3:8100", "--cluster-nodes", "n1,n2,n3", "--partitions", "16", "--replication-factor", "5",
            "--config", "/etc/kahuna/extra.conf");

        Assert.Equal("n2", options.NodeId);
        Assert.Equal("10.0.0.2", options.Host);
        Assert.Equal(8000, options.ClientPort);
        Assert.Equal(8100, options.ClusterPort);
        Assert.Equal("/tmp/kahuna-n2", options.DataDirectory);
        Assert.Equal(["10.0.0.1:8100", "10.0.0.3:8100"], options.Seeds);
        Assert.Equal(["n1", "n2", "n3"], options.ClusterNodes);
        Assert.Equal(16, options.Partitions);
        Assert.Equal(5, options.ReplicationFactor);
        Assert.Equal("/etc/kahuna/extra.conf", options.ConfigFile);
        options.Validate();
    }

    [Fact]
    public void EnvironmentVariables_SetEveryOption_WhenNoFlagIsGiven()
    {
        _environment["KAHUNA_NODE_ID"] = "n3";
        _environment["KAHUNA_HOST"] = "10.0.0.3";
        _environment["KAHUNA_PORT"] = "9000";
        _environment["KAHUNA_CLUSTER_PORT"] = "9100";
        _environment["KAHUNA_DATA"] = "/var/lib/kahuna";
        _environment["KAHUNA_SEEDS"] = "10.0.0.1:9100";
        _environment["KAHUNA_CLUSTER_NODES"] = "n1,n2,n3";
        _environment["KAHUNA_PARTITIONS"] = "32";
        _environment["KAHUNA_REPLICATION_FACTOR"] = "1";
        _environment["KAHUNA_CONFIG"] = "/etc/kahuna.conf";

        var options = Bind();

        Assert.Equal("n3", options.NodeId);
        Assert.Equal("10.0.0.3", options.Host);
        Assert.Equal(9000, options.ClientPort);
        Assert.Equal(9100, options.ClusterPort);
        Assert.Equal("/var/lib/kahuna", options.DataDirectory);
        Assert.Equal(["10.0.0.1:9100"], options.Seeds);
        Assert.Equal(["n1", "n2", "n3"], options.ClusterNodes);
        Assert.Equal(32, options.Partitions);
        Assert.Equal(1, options.ReplicationFactor);
        Assert.Equal("/etc/kahuna.conf", options.ConfigFile);
    }

    [Fact]
    public void Flag_WinsOverEnvironmentVariable()
    {
        _environment["KAHUNA_NODE_ID"] = "from-env";
        _environment["KAHUNA_PORT"] = "9000";
        _environment["KAHUNA_SEEDS"] = "10.0.0.9:1";

        var options = Bind("--node-id", "from-flag", "--port", "8000");

        Assert.Equal("from-flag", options.NodeId);
        Assert.Equal(8000, options.ClientPort);
        Assert.Equal(["10.0.0.9:1"], options.Seeds);
    }

    [Fact]
    public void Defaults_ApplyWhenNeitherFlagNorVariableIsGiven()
    {
        _environment["KAHUNA_PORT"] = "   "; // Blank counts as unset.

        var options = Bind("--node-id", "n1");

        Assert.Equal("127.0.0.1", options.Host);
        Assert.Equal(7070, options.ClientPort);
        Assert.Equal(7170, options.ClusterPort);
        Assert.Equal(Path.GetFullPath(Path.Combine("data", "n1")), options.DataDirectory);
        Assert.Empty(options.Seeds);
        Assert.Equal(["n1"], options.EffectiveClusterNodes);
        Assert.Null(options.Partitions); // the recorded layout, or one partition per node for new data
        Assert.Null(options.ReplicationFactor);
        Assert.Null(options.ConfigFile);
        options.Validate();
    }

    [Fact]
    public void DataDirectory_IsMadeAbsolute()
    {
        var options = Bind("--node-id", "n1", "--data", "relative/dir");

        Assert.True(Path.IsPathRooted(options.DataDirectory));
        Assert.EndsWith(Path.Combine("relative", "dir"), options.DataDirectory);
    }

    [Theory]
    [InlineData("KAHUNA_PORT", "seven")]
    [InlineData("KAHUNA_PARTITIONS", "1.5")]
    [InlineData("KAHUNA_SEEDS", "10.0.0.1")]
    [InlineData("KAHUNA_SEEDS", "10.0.0.1:0")]
    public void MalformedVariable_IsAUsageErrorNamingTheVariable(string variable, string value)
    {
        _environment[variable] = value;

        var ex = Assert.Throws<CliUsageException>(() => Bind("--node-id", "n1"));

        Assert.Contains(variable == "KAHUNA_SEEDS" ? "--seeds" : variable, ex.Message);
    }
}
