using Akka.Configuration;

namespace Kahuna.Node.Testing;

/// <summary>
/// Whether this node obeys <see cref="Kahuna.Protocol.Messages.FaultInjectionRequest"/>: only when
/// <c>kahuna.testing.fault-injection = on</c>, which only the fault suite sets (the key is absent from
/// hocon/kahuna.conf on purpose, so a deployment cannot turn it on by copying the defaults). Off when absent.
/// </summary>
public sealed record FaultInjectionSettings(bool Enabled)
{
    public const string EnabledPath = "kahuna.testing.fault-injection";

    public static FaultInjectionSettings Create(Config config) =>
        new(config.HasPath(EnabledPath) && config.GetBoolean(EnabledPath, false));
}
