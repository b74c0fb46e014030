using Kahuna.Node.StateMachines.KeyValues;
using Kahuna.Node.StateMachines.Results;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Node.StateMachines;

/// <summary>
/// Seeded random operations against <see cref="KeyValueStore"/> and a deliberately naive reference model that keeps
/// every version forever. With unbounded retention the two must agree exactly; with a small window the store may
/// only differ by answering "compacted" for history it was allowed to drop.
/// </summary>
public class KeyValueModelTests
{
    private const int Operations = 4000;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void RandomOperations_WithUnboundedHistory_MatchTheModelExactly(int seed)
    {
        var compactedReads = Run(seed, new KeyValueStoreOptions { RevisionsPerKey = int.MaxValue, HistoryRetentionMs = long.MaxValue / 4 });

        Assert.Equal(0, compactedReads);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(5)]
    [InlineData(6)]
    public void RandomOperations_WithSmallHistory_MatchTheModelExceptCompactedReads(int seed)
    {
        var compactedReads = Run(seed, new KeyValueStoreOptions { RevisionsPerKey = 3, HistoryRetentionMs = 200 });

        Assert.True(compactedReads > 10, $"only {compactedReads} reads hit dropped history: the run proves little");
    }

    /// <summary>Runs the operations and returns how many reads at a revision answered "compacted".</summary>
    private static int Run(int seed, KeyValueStoreOptions options)
    {
        var compactedReads = 0;
        var random = new Random(seed);
        var store = new KeyValueStore(options);
        var model = new Model();
        long now = 1_000;
        var keys = Enumerable.Range(0, 16).Select(index => "key" + index).ToArray();
        for (var step = 0; step < Operations; step++)
        {
            now += random.Next(0, 12);
            var key = keys[random.Next(keys.Length)];
            var value = new[] { (byte)random.Next(4) };
            var ttl = random.Next(3) == 0 ? random.Next(1, 60) : 0;
            switch (random.Next(9))
            {
                case 0 or 1:
                    AssertSame(model.Set(key, value, ttl, SetCondition.None, null, null, now), store.Set(key, value, ttl, SetCondition.None, null, null, now));
                    break;
                case 2:
                    var condition = (SetCondition)random.Next(1, 3);
                    AssertSame(model.Set(key, value, ttl, condition, null, null, now), store.Set(key, value, ttl, condition, null, null, now));
                    break;
                case 3:
                    var compareValue = new[] { (byte)random.Next(4) };
                    AssertSame(model.Set(key, value, ttl, SetCondition.None, compareValue, null, now), store.Set(key, value, ttl, SetCondition.None, compareValue, null, now));
                    break;
                case 4:
                    long compareRevision = Math.Max(1, model.Revision - random.Next(0, 6));
                    AssertSame(model.Set(key, value, ttl, SetCondition.None, null, compareRevision, now), store.Set(key, value, ttl, SetCondition.None, null, compareRevision, now));
                    break;
                case 5 when random.Next(3) == 0:
                    // Compare-and-delete, by value or by a recent revision.
                    byte[]? deleteIfValue = random.Next(2) == 0 ? [(byte)random.Next(4)] : null;
                    long? deleteIfRevision = deleteIfValue is null ? Math.Max(1, model.Revision - random.Next(0, 6)) : null;
                    AssertSame(model.Delete(key, deleteIfValue, deleteIfRevision, now), store.Delete(key, deleteIfValue, deleteIfRevision, now));
                    break;
                case 5:
                    AssertSame(model.Delete(key, null, null, now), store.Delete(key, now));
                    break;
                case 6:
                    AssertSame(model.Extend(key, ttl, now), store.Extend(key, ttl, now));
                    break;
                case 7:
                    var expired = store.ListExpiredKeys(now, random.Next(1, 5));
                    Assert.Equal(model.ListExpired(now).Take(expired.Count), expired);
                    var listed = expired.Append(keys[random.Next(keys.Length)]).ToArray();
                    Assert.Equal(model.ExpireKeys(listed, now), store.ExpireKeys(listed, now).Removed);
                    break;
                default:
                    AssertSame(model.Get(key, now), store.Get(key, now));
                    AssertSame(model.Exists(key, now), store.Exists(key, now));
                    var atRevision = random.NextInt64(1, model.Revision + 2);
                    var atResult = store.Get(key, atRevision, now);
                    compactedReads += atResult.IsCompacted ? 1 : 0;
                    AssertSameOrCompacted(model, key, atRevision, atResult, options, now);
                    break;
            }

            store.CollectGarbage(now, 4);
            Assert.Equal(model.Revision, store.CurrentRevision);
        }

        foreach (var key in keys)
        {
            AssertSame(model.Get(key, now), store.Get(key, now));
        }

        return compactedReads;
    }

    private static void AssertSame(KeyValueResult expected, KeyValueResult actual)
    {
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.Revision, actual.Revision);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.ExpiresAtMs, actual.ExpiresAtMs);
    }

    private static void AssertSameOrCompacted(Model model, string key, long atRevision, KeyValueResult actual, KeyValueStoreOptions options, long now)
    {
        var expected = model.GetAt(key, atRevision);
        if (actual.IsCompacted)
        {
            // Allowed only for a version the retention rules may drop: not among the newest versions kept by count
            // and not superseded within the window.
            Assert.False(model.MustBeRetained(key, atRevision, options, now));
            return;
        }

        AssertSame(expected, actual);
    }

    private sealed class Model
    {
        private readonly Dictionary<string, List<KeyValueSnapshotVersion>> _versions = new();

        public long Revision { get; private set; }

        public KeyValueResult Set(string key, byte[] value, long ttl, SetCondition condition, byte[]? compareValue, long? compareRevision, long now)
        {
            var live = Live(key, now);
            var ok = (!condition.HasFlag(SetCondition.IfNotExists) || live is null)
                     && (!condition.HasFlag(SetCondition.IfExists) || live is not null)
                     && (compareValue is null || (live is not null && live.Value!.SequenceEqual(compareValue)))
                     && (compareRevision is null || live?.Revision == compareRevision);
            if (!ok)
            {
                return KeyValueResult.PreconditionFailed(live?.Revision ?? 0);
            }

            return Append(key, new KeyValueSnapshotVersion(value, ++Revision, ttl == 0 ? 0 : now + ttl, now));
        }

        public KeyValueResult Delete(string key, byte[]? compareValue, long? compareRevision, long now)
        {
            var live = Live(key, now);
            if (live is null)
            {
                return KeyValueResult.NotFound;
            }

            if ((compareValue is not null && !live.Value!.SequenceEqual(compareValue)) || (compareRevision is not null && live.Revision != compareRevision))
            {
                return KeyValueResult.PreconditionFailed(live.Revision);
            }

            return Append(key, new KeyValueSnapshotVersion(null, ++Revision, 0, now));
        }

        public KeyValueResult Extend(string key, long ttl, long now)
        {
            var live = Live(key, now);
            if (live is null)
            {
                return KeyValueResult.NotFound;
            }

            var versions = _versions[key];
            versions[^1] = live with { ExpiresAtMs = ttl == 0 ? 0 : now + ttl };
            return KeyValueResult.Written(live.Revision, versions[^1].ExpiresAtMs, live.ModifiedAtMs);
        }

        public int ExpireKeys(IEnumerable<string> keys, long now)
        {
            var removed = 0;
            foreach (var key in keys)
            {
                if (Current(key) is { Value: not null, ExpiresAtMs: > 0 } current && current.ExpiresAtMs <= now)
                {
                    Append(key, new KeyValueSnapshotVersion(null, ++Revision, 0, now));
                    removed++;
                }
            }

            return removed;
        }

        public IEnumerable<string> ListExpired(long now) => _versions
            .Where(pair => pair.Value[^1] is { Value: not null, ExpiresAtMs: > 0 } current && current.ExpiresAtMs <= now)
            .OrderBy(pair => pair.Value[^1].ExpiresAtMs).ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);

        public KeyValueResult Get(string key, long now) => Live(key, now) is { } live ? Found(live) : KeyValueResult.NotFound;

        public KeyValueResult Exists(string key, long now) =>
            Live(key, now) is { } live ? Found(live) with { Value = null } : KeyValueResult.NotFound;

        public KeyValueResult GetAt(string key, long atRevision)
        {
            var version = _versions.GetValueOrDefault(key)?.LastOrDefault(candidate => candidate.Revision <= atRevision);
            return version is { Value: not null } ? Found(version) : KeyValueResult.NotFound;
        }

        public bool MustBeRetained(string key, long atRevision, KeyValueStoreOptions options, long now)
        {
            var versions = _versions.GetValueOrDefault(key) ?? [];
            var index = versions.FindLastIndex(candidate => candidate.Revision <= atRevision);
            if (index < 0)
            {
                return false; // before the key existed: an earlier, collected incarnation may make it unknown
            }

            var window = options.HistoryRetentionMs;
            var version = versions[index];
            if (version.Value is null && version.ModifiedAtMs + window <= now)
            {
                return false; // a tombstone past the window may have been collected with its whole entry
            }

            if (versions[^1].Value is null && versions[^1].ModifiedAtMs + window <= now)
            {
                return false; // the whole entry may be gone
            }

            var supersededAt = index + 1 < versions.Count ? versions[index + 1].ModifiedAtMs : long.MaxValue;
            return index >= versions.Count - options.RevisionsPerKey && supersededAt > now - window;
        }

        private KeyValueSnapshotVersion? Current(string key) => _versions.GetValueOrDefault(key)?[^1];

        private KeyValueSnapshotVersion? Live(string key, long now)
        {
            return Current(key) is { Value: not null } current && (current.ExpiresAtMs == 0 || current.ExpiresAtMs > now) ? current : null;
        }

        private KeyValueResult Append(string key, KeyValueSnapshotVersion version)
        {
            if (!_versions.TryGetValue(key, out var versions))
            {
                _versions[key] = versions = [];
            }

            versions.Add(version);
            return KeyValueResult.Written(version.Revision, version.ExpiresAtMs, version.ModifiedAtMs);
        }

        private static KeyValueResult Found(KeyValueSnapshotVersion version) =>
            new(KahunaStatus.Ok, version.Revision, version.Value, version.ExpiresAtMs, version.ModifiedAtMs, false);
    }
}
