using System.Collections.Immutable;

namespace Kahuna.Raft.Core;

/// <summary>
/// The membership of a group: voters decide elections and commits; learners only receive the log.
/// Immutable. Changes go one replica at a time (see <see cref="ConfigChange"/>).
/// </summary>
public sealed class RaftConfiguration : IEquatable<RaftConfiguration>
{
    public static readonly RaftConfiguration Empty = new(ImmutableSortedSet<string>.Empty, ImmutableSortedSet<string>.Empty);

    public ImmutableSortedSet<string> Voters { get; }
    public ImmutableSortedSet<string> Learners { get; }

    public RaftConfiguration(ImmutableSortedSet<string> voters, ImmutableSortedSet<string> learners)
    {
        if (voters.Overlaps(learners))
            throw new ArgumentException("A replica cannot be both a voter and a learner.");
        Voters = voters;
        Learners = learners;
    }

    public static RaftConfiguration Of(IEnumerable<string> voters, IEnumerable<string>? learners = null) =>
        new(voters.ToImmutableSortedSet(StringComparer.Ordinal),
            (learners ?? []).ToImmutableSortedSet(StringComparer.Ordinal));

    public int Count => Voters.Count + Learners.Count;
    public int Quorum => Voters.Count / 2 + 1;
    public bool IsVoter(string id) => Voters.Contains(id);
    public bool IsLearner(string id) => Learners.Contains(id);
    public bool Contains(string id) => Voters.Contains(id) || Learners.Contains(id);
    public IEnumerable<string> Members => Voters.Concat(Learners);

    /// <summary>
    /// Applies one single-replica change, or explains why it is not allowed. Single changes keep every
    /// majority of the old voters overlapping every majority of the new ones, which is what makes
    /// one-at-a-time membership safe without joint consensus (Raft thesis §4.1).
    /// </summary>
    public bool TryApply(ConfigChange change, out RaftConfiguration result, out string? error)
    {
        result = this;
        error = null;
        switch (change.Kind)
        {
            case ConfigChangeKind.AddLearner:
                if (Contains(change.ReplicaId)) { error = $"{change.ReplicaId} is already a member"; return false; }
                result = new RaftConfiguration(Voters, Learners.Add(change.ReplicaId));
                return true;
            case ConfigChangeKind.PromoteLearner:
                if (!IsLearner(change.ReplicaId)) { error = $"{change.ReplicaId} is not a learner"; return false; }
                result = new RaftConfiguration(Voters.Add(change.ReplicaId), Learners.Remove(change.ReplicaId));
                return true;
            case ConfigChangeKind.RemoveReplica:
                if (!Contains(change.ReplicaId)) { error = $"{change.ReplicaId} is not a member"; return false; }
                if (IsVoter(change.ReplicaId) && Voters.Count == 1) { error = "cannot remove the last voter"; return false; }
                result = new RaftConfiguration(Voters.Remove(change.ReplicaId), Learners.Remove(change.ReplicaId));
                return true;
            default:
                error = $"unknown change {change.Kind}";
                return false;
        }
    }

    public bool Equals(RaftConfiguration? other) =>
        other is not null && Voters.SetEquals(other.Voters) && Learners.SetEquals(other.Learners);

    public override bool Equals(object? obj) => Equals(obj as RaftConfiguration);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var v in Voters) hash.Add(v);
        hash.Add('|');
        foreach (var l in Learners) hash.Add(l);
        return hash.ToHashCode();
    }

    public override string ToString() =>
        Learners.Count == 0 ? $"voters=({string.Join(",", Voters)})"
                            : $"voters=({string.Join(",", Voters)}) learners=({string.Join(",", Learners)})";
}

public enum ConfigChangeKind : byte
{
    /// <summary>Add a replica that receives the log but does not vote (catch it up before promoting it).</summary>
    AddLearner = 0,
    /// <summary>Turn a learner into a voter.</summary>
    PromoteLearner = 1,
    /// <summary>Remove a voter or a learner.</summary>
    RemoveReplica = 2,
}

public sealed record ConfigChange(ConfigChangeKind Kind, string ReplicaId);
