using Kahuna.Node.Hosting;
using Xunit;

namespace Kahuna.Tests.Node.Hosting;

/// <summary>When an idle node gives memory back: once per quiet spell after work, only when there is much to give.</summary>
public sealed class IdleTrimPolicyTests
{
    private const long MiB = 1 << 20;
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);
    private static readonly MemorySettings Settings = new(true, TimeSpan.FromSeconds(5), 64 * MiB, 8 * MiB, 1024 * MiB);

    [Fact]
    public void TrimsOnce_AfterTheQuietPeriod_ThenNotAgainUntilTheProcessHasWorked()
    {
        var policy = new IdleTrimPolicy(Settings);
        Assert.False(policy.Observe(Second, 500 * MiB, 1200 * MiB, 400 * MiB)); // a burst of work
        for (var i = 0; i < 4; i++) Assert.False(policy.Observe(Second, 100_000, 1200 * MiB, 400 * MiB)); // quiet, not long enough
        Assert.True(policy.Observe(Second, 100_000, 1200 * MiB, 400 * MiB)); // 5 s quiet: trim
        for (var i = 0; i < 20; i++) Assert.False(policy.Observe(Second, 100_000, 1200 * MiB, 400 * MiB)); // still quiet: once is enough

        Assert.False(policy.Observe(Second, 50 * MiB, 1200 * MiB, 400 * MiB)); // work again
        for (var i = 0; i < 4; i++) Assert.False(policy.Observe(Second, 0, 1200 * MiB, 400 * MiB));
        Assert.True(policy.Observe(Second, 0, 1200 * MiB, 400 * MiB));
    }

    [Fact]
    public void DoesNotTrim_WhenTheGcHoldsLittleBeyondWhatIsAlive()
    {
        var policy = new IdleTrimPolicy(Settings);
        for (var i = 0; i < 10; i++) Assert.False(policy.Observe(Second, 0, 130 * MiB, 100 * MiB));
        // Once the excess appears (a later burst left garbage), the next quiet spell trims.
        Assert.False(policy.Observe(Second, 300 * MiB, 900 * MiB, 100 * MiB));
        for (var i = 0; i < 4; i++) Assert.False(policy.Observe(Second, 0, 900 * MiB, 100 * MiB));
        Assert.True(policy.Observe(Second, 0, 900 * MiB, 100 * MiB));
    }

    [Fact]
    public void SteadyTrickleBelowTheIdleBudget_CountsAsQuiet_AndABusyProcessNeverTrims()
    {
        var policy = new IdleTrimPolicy(Settings);
        // Heartbeats and ticks: 1 MiB/s is under the 8 MiB per 5 s budget (1.6 MiB/s).
        var trims = Enumerable.Range(0, 6).Count(_ => policy.Observe(Second, 1 * MiB, 800 * MiB, 200 * MiB));
        Assert.Equal(1, trims);
        var busy = new IdleTrimPolicy(Settings);
        Assert.DoesNotContain(Enumerable.Range(0, 60).Select(_ => busy.Observe(Second, 2 * MiB, 800 * MiB, 200 * MiB)), t => t);
    }

    [Fact]
    public void BigLiveHeap_IsNotTrimmed_TheBlockingPauseWouldBeTooLong()
    {
        var policy = new IdleTrimPolicy(Settings);
        Assert.False(policy.Observe(Second, 500 * MiB, 3000 * MiB, 1500 * MiB));
        Assert.DoesNotContain(Enumerable.Range(0, 60).Select(_ => policy.Observe(Second, 0, 3000 * MiB, 1500 * MiB)), t => t);
    }

    [Fact]
    public void Disabled_NeverTrims()
    {
        var policy = new IdleTrimPolicy(Settings with { IdleTrim = false });
        Assert.DoesNotContain(Enumerable.Range(0, 60).Select(_ => policy.Observe(Second, 0, 2000 * MiB, 100 * MiB)), t => t);
    }

    [Fact]
    public void Settings_DefaultsFromKahunaConf_AndNativeThresholdOverridable()
    {
        var config = Akka.Configuration.ConfigurationFactory.ParseString("kahuna.security.authentication = off")
            .WithFallback(KahunaSettings.DefaultConfig()).WithFallback(Kahuna.Raft.RaftSettings.DefaultConfig());
        var defaults = KahunaSettings.Create(config, "n1").Memory;
        Assert.Equal(MemorySettings.Default, defaults);
        Assert.Equal(128 * 1024, defaults.NativeMmapThreshold);
        var off = Akka.Configuration.ConfigurationFactory.ParseString("kahuna.memory.native-mmap-threshold = 0")
            .WithFallback(config);
        Assert.Equal(0, KahunaSettings.Create(off, "n1").Memory.NativeMmapThreshold);
    }
}
