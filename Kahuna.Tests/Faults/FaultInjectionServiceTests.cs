using Akka.Actor;
using Kahuna.Node.Cluster;
using Kahuna.Node.Partitions;
using Kahuna.Node.Testing;
using Kahuna.Protocol;
using Kahuna.Protocol.Messages;
using Kahuna.Protocol.Validation;
using Xunit;

namespace Kahuna.Tests.Faults;

/// <summary>The fault-injection request is test-only: refused unless the node was started with it on, and validated like any request.</summary>
public sealed class FaultInjectionServiceTests
{
    private static readonly FaultInjectionRequest Block = new() { Action = FaultInjectionAction.BlockTraffic, NodeIds = ["n2"] };

    [Fact]
    public async Task SettingOff_ByDefault_RequestRefusedUnauthorized()
    {
        var answer = await WithServiceAsync("", service => service.HandleAsync(Block, CancellationToken.None));

        Assert.Equal(KahunaStatus.Unauthorized, answer.Status);
        Assert.Contains(FaultInjectionSettings.EnabledPath, answer.Message);
    }

    [Fact]
    public async Task SettingOn_WithoutRemoting_RequestRefusedAsInvalidInput()
    {
        var answer = await WithServiceAsync($"{FaultInjectionSettings.EnabledPath} = on", service => service.HandleAsync(Block, CancellationToken.None));

        Assert.Equal(KahunaStatus.InvalidInput, answer.Status);
    }

    [Theory]
    [InlineData(FaultInjectionAction.BlockTraffic, new string[0], "name at least one node")]
    [InlineData(FaultInjectionAction.TransferLeadership, new[] { "n1", "n2" }, "exactly one target")]
    [InlineData((FaultInjectionAction)9, new[] { "n1" }, "unknown action")]
    public void Validator_RejectsMalformedRequests(FaultInjectionAction action, string[] nodeIds, string reason)
    {
        var result = RequestValidator.Validate(new FaultInjectionRequest { Action = action, NodeIds = nodeIds });

        Assert.False(result.IsValid);
        Assert.Contains(reason, result.Message);
    }

    [Fact]
    public void Validator_TooManyNodes_TooLarge()
    {
        var result = RequestValidator.Validate(new FaultInjectionRequest { Action = FaultInjectionAction.BlockTraffic, NodeIds = Enumerable.Range(0, 17).Select(i => $"n{i}").ToArray() });

        Assert.Equal(KahunaStatus.TooLarge, result.Status);
    }

    private static async Task<Kahuna.Protocol.Messages.KahunaResponse> WithServiceAsync(string config, Func<FaultInjectionService, Task<Kahuna.Protocol.Messages.KahunaResponse>> act)
    {
        var system = ActorSystem.Create("fault-injection-test", config);
        try
        {
            var settings = FaultInjectionSettings.Create(system.Settings.Config);
            var directory = new NodeDirectory("n1", new Address("akka.tcp", "kahuna", "127.0.0.1", 7170));
            var service = new FaultInjectionService(settings, system, "n1", directory, new NoRouter());
            return await act(service);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>These tests end before anything is routed; a routed request would show up as an InternalError.</summary>
    private sealed class NoRouter : Kahuna.Node.Network.IKahunaRequestHandler
    {
        public ValueTask<Kahuna.Protocol.Messages.KahunaResponse> HandleAsync(Kahuna.Protocol.Messages.KahunaRequest request,
            Kahuna.Node.Network.RequestContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult<Kahuna.Protocol.Messages.KahunaResponse>(
                Kahuna.Protocol.Messages.ErrorResponse.Create(KahunaStatus.InternalError, "not routed in this test"));
    }
}
