using System.Collections.Concurrent;
using Akka.Actor;
using Kahuna.Raft.Serialization;

namespace Kahuna.Raft.Actors;

/// <summary>Where each replica's node lives (Kahuna.Node answers from cluster membership; tests from a table).</summary>
public interface IRaftPeerDirectory
{
    /// <summary>The Akka address of the node hosting replica <paramref name="replicaId"/>, or null when unknown.</summary>
    Address? Resolve(string replicaId);
}

/// <summary>A peer directory from a fixed (but updatable) table.</summary>
public sealed class StaticRaftPeerDirectory : IRaftPeerDirectory
{
    private readonly ConcurrentDictionary<string, Address> _addresses = new(StringComparer.Ordinal);

    public void Set(string replicaId, Address address) => _addresses[replicaId] = address;
    public void Remove(string replicaId) => _addresses.TryRemove(replicaId, out _);
    public Address? Resolve(string replicaId) => _addresses.TryGetValue(replicaId, out var a) ? a : null;
}

/// <summary>
/// Sends to /user/raft/{groupId} on the peer's node. References are built locally from the path (no round trip to
/// resolve them) and cached per (peer, group); a changed address (a node restarted elsewhere) replaces the cached one.
/// Raft messages to another node are coalesced per node (a <see cref="CoalescingOutbox{T}"/> of envelopes, sent as
/// one <see cref="RaftReplicaProtocol.RaftEnvelopeBatch"/> to the peer's host) unless <c>kahuna.raft.batch-messages</c>
/// is off; snapshot chunks, already large, go on their own.
/// </summary>
public sealed class ActorPathRaftTransport(ActorSystem system, IRaftPeerDirectory directory) : IRaftTransport
{
    private readonly IActorRefProvider _provider = ((ExtendedActorSystem)system).Provider;
    private readonly bool _batch = system.Settings.Config.GetBoolean("kahuna.raft.batch-messages", true);
    private readonly ConcurrentDictionary<(string Replica, string Group), (Address Address, IActorRef Ref)> _refs = new();
    private readonly ConcurrentDictionary<Address, CoalescingOutbox<RaftReplicaProtocol.RaftEnvelope>?> _outboxes = new();

    public void Send(string replicaId, string groupId, object message, IActorRef sender)
    {
        var address = directory.Resolve(replicaId);
        if (address is null) return; // unknown peer: Raft treats it as a lost message and retries
        if (_batch && message is RaftReplicaProtocol.RaftEnvelope envelope && OutboxFor(address) is { } outbox)
        {
            outbox.Enqueue(envelope);
            return;
        }
        var key = (replicaId, groupId);
        if (!_refs.TryGetValue(key, out var cached) || !cached.Address.Equals(address))
        {
            var path = new RootActorPath(address) / "user" / RaftHostProtocol.Name / groupId;
            cached = (address, _provider.ResolveActorRef(path));
            _refs[key] = cached;
        }
        cached.Ref.Tell(message, ActorRefs.NoSender);
    }

    /// <summary>The outbox towards a remote node; none for this node's own address (a local tell is already cheap).</summary>
    private CoalescingOutbox<RaftReplicaProtocol.RaftEnvelope>? OutboxFor(Address address) =>
        _outboxes.GetOrAdd(address, static (a, provider) =>
        {
            var host = provider.ResolveActorRef(new RootActorPath(a) / "user" / RaftHostProtocol.Name);
            return host is IInternalActorRef { IsLocal: true } ? null : new CoalescingOutbox<RaftReplicaProtocol.RaftEnvelope>(host,
                static e => RaftCodec.EstimateSize(e.Message) + e.GroupId.Length,
                static batch => new RaftReplicaProtocol.RaftEnvelopeBatch(batch));
        }, _provider);
}
