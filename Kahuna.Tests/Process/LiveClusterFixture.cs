using Xunit;

namespace Kahuna.Tests.ProcessLevel;

/// <summary>One three-process cluster shared by the tests of a class that do not kill nodes.</summary>
public sealed class LiveClusterFixture : IAsyncLifetime
{
    private KahunaProcessCluster? _cluster;

    public KahunaProcessCluster Cluster => _cluster ?? throw new InvalidOperationException("the cluster has not started");

    public async Task InitializeAsync() => _cluster = await KahunaProcessCluster.StartAsync();

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
            await _cluster.DisposeAsync();
    }
}
