using Akka.Actor;
using Akka.Cluster;
using Akka.Event;

namespace Kahuna.Node.Cluster;

/// <summary>
/// Keeps nodes of different partition layouts out of one cluster. Every Kahuna node announces its layout in a role
/// ("kahuna-layout:{fingerprint}"); nodes that computed different maps would route the same key to different
/// partitions, so of two such nodes the younger member stops (the older one keeps serving and logs the newcomer).
/// Members that announce no layout (builds from before the role) are not judged.
/// </summary>
public sealed class LayoutGuardActor : ReceiveActor
{
    public const string RolePrefix = "kahuna-layout:";

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly Akka.Cluster.Cluster _cluster = Akka.Cluster.Cluster.Get(Context.System);
    private readonly string _fingerprint;
    private readonly Action<string> _stop;
    private readonly HashSet<UniqueAddress> _reported = [];
    private bool _stopping;

    /// <param name="fingerprint">This node's <see cref="ClusterLayout.Fingerprint"/>.</param>
    /// <param name="stop">Stops this node, with the reason to report.</param>
    public LayoutGuardActor(string fingerprint, Action<string> stop)
    {
        _fingerprint = fingerprint;
        _stop = stop;
        Receive<ClusterEvent.CurrentClusterState>(state =>
        {
            foreach (var member in state.Members) Check(member);
        });
        Receive<ClusterEvent.MemberJoined>(e => Check(e.Member));
        Receive<ClusterEvent.MemberWeaklyUp>(e => Check(e.Member));
        Receive<ClusterEvent.MemberUp>(e => Check(e.Member));
        Receive<ClusterEvent.IMemberEvent>(_ => { });
    }

    public static string RoleFor(ClusterLayout layout) => RolePrefix + layout.Fingerprint;

    public static string? LayoutOf(Member member) =>
        member.Roles.FirstOrDefault(r => r.StartsWith(RolePrefix, StringComparison.Ordinal))?[RolePrefix.Length..];

    private void Check(Member member)
    {
        if (_stopping || member.UniqueAddress.Equals(_cluster.SelfUniqueAddress)) return;
        if (LayoutOf(member) is not { } theirs || theirs == _fingerprint) return;
        var who = NodeDirectory.NodeIdOf(member) ?? member.Address.ToString();
        var problem = $"node {who} ({member.Address}) runs the partition layout {Explain(theirs)}, this node {Explain(_fingerprint)}";
        if (member.IsOlderThan(_cluster.SelfMember))
        {
            _stopping = true;
            var reason = $"{problem}; the cluster's older members keep theirs, so this node stops. Start it with the " +
                         "cluster's --partitions, --replication-factor and --cluster-nodes and a new, empty data directory.";
            _log.Error(reason);
            _stop(reason);
        }
        else if (_reported.Add(member.UniqueAddress))
        {
            _log.Error("{0}; that node joined later and stops itself", problem);
        }
    }

    private static string Explain(string fingerprint) =>
        ClusterLayout.FromFingerprint(fingerprint) is { } layout ? $"({layout.Describe()})" : $"'{fingerprint}'";

    protected override void PreStart() =>
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsSnapshot, typeof(ClusterEvent.IMemberEvent));

    protected override void PostStop() => _cluster.Unsubscribe(Self);

    public static Props Props(string fingerprint, Action<string> stop) =>
        Akka.Actor.Props.Create(() => new LayoutGuardActor(fingerprint, stop));
}
