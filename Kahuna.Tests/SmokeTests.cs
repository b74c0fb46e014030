namespace Kahuna.Tests; public class SmokeTests { [Xunit.Fact] public void Builds() => Xunit.Assert.Equal(1, Kahuna.Protocol.ProtocolInfo.Version); }
