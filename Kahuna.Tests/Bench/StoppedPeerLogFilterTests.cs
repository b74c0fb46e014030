using Akka.Actor;
using Akka.Event;
using Kahuna.Node.Bench;
using Xunit;

namespace Kahuna.Tests.Bench;

public class StoppedPeerLogFilterTests
{
    private const string WriterTo46063 =
        "akka://kahuna/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fkahuna%40127.0.0.1%3A46063-2/endpointWriter";
    private const string WriterTo46064 =
        "akka://kahuna/system/endpointManager/reliableEndpointWriter-akka.tcp%3A%2F%2Fkahuna%40127.0.0.1%3A46064-1/endpointWriter";

    private static Error Disassociated(string source) => new(new Exception("Disassociated"), source, typeof(object), "Disassociated");

    [Fact]
    public void DropsDisassociationErrorsOnlyAboutPeersStoppedOnPurpose()
    {
        var filter = new StoppedPeerLogFilter();
        Assert.Equal(LogFilterDecision.NoDecision, filter.ShouldKeepMessage(Disassociated(WriterTo46063)));

        filter.Stopped(new Address("akka.tcp", "kahuna", "127.0.0.1", 46063));

        Assert.Equal(LogFilterDecision.Drop, filter.ShouldKeepMessage(Disassociated(WriterTo46063)));
        // Another peer lost is still worth an error line.
        Assert.Equal(LogFilterDecision.NoDecision, filter.ShouldKeepMessage(Disassociated(WriterTo46064)));
        // Other errors and other levels about the stopped peer are kept too.
        Assert.Equal(LogFilterDecision.NoDecision,
            filter.ShouldKeepMessage(new Error(null, WriterTo46063, typeof(object), "frame too large")));
        Assert.Equal(LogFilterDecision.NoDecision,
            filter.ShouldKeepMessage(new Warning(WriterTo46063, typeof(object), "Disassociated")));
    }
}
