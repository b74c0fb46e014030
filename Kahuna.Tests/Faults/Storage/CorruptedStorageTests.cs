using System.Diagnostics;
using Kahuna.Protocol.Messages;
using Kahuna.Tests.Faults.Support;
using Kahuna.Tests.ProcessLevel;
using Xunit;
using Xunit.Abstractions;

namespace Kahuna.Tests.Faults.Storage;

/// <summary>
/// A node whose SQLite journal lost or garbled its tail (a disk that lied about fsync, a torn write, an operator's
/// mistake) while the other two kept theirs. Whatever the node does, it must never serve wrong data: either it refuses
/// to start and says why, or it starts, catches up from its peers, and then, as the leader of every partition, serves
/// every acknowledged write correctly. Observed: a torn WAL tail is recovered from (SQLite drops the torn frames, Raft
/// re-replicates what the node lost); a garbled page is harmless when the WAL holds a newer copy of it, and otherwise
/// makes the node refuse to start ("node n3 failed to start: …journal.db is damaged (SQLite quick_check: …)", or
/// "SQLite Error 26: 'file is not a database'" for the header). Which of the two happens depends on what the last
/// WAL checkpoint had copied. Before the start-up check, a garbled page that recovery needed left the node running
/// with every replica failing over and over (seen once in a full run).
/// </summary>
[Collection("cluster")]
public sealed class CorruptedStorageTests(ITestOutputHelper output)
{
    private const string Victim = "n3";
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(60);

    public enum Damage
    {
        /// <summary>The last frames of journal.db-wal cut off (SQLite's recovery drops the incomplete tail).</summary>
        TruncatedWalTail,

        /// <summary>The last page of journal.db overwritten with random bytes.</summary>
        GarbledDatabaseTail,

        /// <summary>The first page of journal.db (its header and schema) overwritten with random bytes.</summary>
        GarbledDatabaseHeader,
    }

    [Theory]
    [InlineData(Damage.TruncatedWalTail)]
    [InlineData(Damage.GarbledDatabaseTail)]
    [InlineData(Damage.GarbledDatabaseHeader)]
    public async Task DamagedJournalTail_NodeRefusesOrRecoversFromPeers_NeverServesWrongData(Damage damage)
    {
        await using var faults = await FaultCluster.StartAsync(output);
        var cluster = faults.Cluster;
        await cluster.RunAsync(async () =>
        {
            var acknowledged = new Dictionary<string, string>(StringComparer.Ordinal);
            await using (var writer = cluster.CreateClient())
            {
                for (int i = 0; i < 200; i++)
                {
                    var key = cluster.Keys.Key(i % cluster.Keys.Count, $"corrupt/{i}");
                    if ((await writer.SetAsync(key, $"v{i}")).Succeeded) acknowledged[key] = $"v{i}";
                }
            }
            cluster.KillNode(Victim);
            var journal = Path.Combine(cluster.RunDirectory, Victim, "journal.db");
            output.WriteLine($"{Victim} files before: {Describe(journal)}");
            Inflict(damage, journal);
            output.WriteLine($"{Victim} files after {damage}: {Describe(journal)}");

            await cluster.StartNodeAsync(Victim, waitUntilServing: false);
            var outcome = await RefusedOrServingAsync(cluster);
            output.WriteLine($"{damage}: {outcome}");

            if (outcome == "refused")
            {
                // A clear refusal: the node says it failed to start and why, instead of serving or crashing with a trace.
                Assert.Contains(cluster.DescribeNodes(60).Split('\n'), l => l.Contains($"node {Victim} failed to start", StringComparison.Ordinal) && l.Contains("SQLite"));
            }
            else
            {
                // It serves: make it lead every partition, then every acknowledged write must read back exactly through it.
                foreach (var partition in cluster.Map.Partitions)
                    await WaitLeaderAsync(faults, partition.Id, Victim);
                await using var reader = cluster.ClientOf(Victim);
                foreach (var (key, value) in acknowledged)
                {
                    var got = await reader.GetAsync(key);
                    Assert.True(got.Found && got.ValueAsString() == value, $"{key}: acknowledged '{value}', {Victim} as leader answered {(got.Found ? $"'{got.ValueAsString()}'" : "nothing")}");
                }
            }
            // The other two serve every acknowledged write in any case.
            await using var survivors = cluster.CreateClient(["n1", "n2"]);
            foreach (var (key, value) in acknowledged)
                Assert.Equal(value, (await survivors.GetAsync(key)).ValueAsString());
        });
    }

    private static void Inflict(Damage damage, string journal)
    {
        var random = new Random(7);
        switch (damage)
        {
            case Damage.TruncatedWalTail:
            {
                var wal = journal + "-wal";
                long length = new FileInfo(wal).Length;
                // Cut a third of the log, at an arbitrary byte (not a frame boundary): a torn tail.
                using var stream = new FileStream(wal, FileMode.Open, FileAccess.Write);
                stream.SetLength(Math.Max(32, length - length / 3 - 17));
                break;
            }
            case Damage.GarbledDatabaseTail:
            {
                using var stream = new FileStream(journal, FileMode.Open, FileAccess.ReadWrite);
                var garbage = new byte[Math.Min(4096, stream.Length)];
                random.NextBytes(garbage);
                stream.Seek(-garbage.Length, SeekOrigin.End);
                stream.Write(garbage);
                break;
            }
            case Damage.GarbledDatabaseHeader:
            {
                using var stream = new FileStream(journal, FileMode.Open, FileAccess.ReadWrite);
                var garbage = new byte[Math.Min(4096, stream.Length)];
                random.NextBytes(garbage);
                stream.Write(garbage);
                break;
            }
        }
    }

    private static string Describe(string journal) =>
        string.Join(", ", new[] { journal, journal + "-wal", journal + "-shm" }.Where(File.Exists).Select(f => $"{Path.GetFileName(f)} {new FileInfo(f).Length} B"));

    /// <summary>Waits until the restarted node either exits ("refused") or serves every partition ("serving").</summary>
    private static async Task<string> RefusedOrServingAsync(KahunaProcessCluster cluster)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Within)
        {
            if (!cluster.IsRunning(Victim)) return "refused";
            try
            {
                await cluster.WaitServesAsync(Victim, TimeSpan.FromSeconds(2));
                return "serving";
            }
            catch (Exception ex) when (ex is TimeoutException or InvalidOperationException)
            {
                // neither yet
            }
        }
        throw new TimeoutException($"{Victim} neither exited nor served within {Within.TotalSeconds:0} s");
    }

    private static async Task WaitLeaderAsync(FaultCluster faults, int partitionId, string target)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await faults.TransferLeadershipAsync(partitionId, target);
            await using var client = faults.Cluster.ClientOf(target);
            var status = await client.GetClusterStatusAsync();
            if (status.Partitions.Single(p => p.Id == partitionId) is { LocalRole: "Leader" }) return;
            Assert.True(clock.Elapsed < Within, $"{target} did not become leader of partition {partitionId}");
            await Task.Delay(200);
        }
    }
}
