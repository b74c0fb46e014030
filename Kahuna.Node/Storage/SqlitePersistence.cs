using System.Data.Common;
using Akka.Actor;
using Akka.Actor.Setup;
using Akka.Configuration;
using Akka.Persistence.Sql;
using Akka.Persistence.Sql.Config;
using LinqToDB;
using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Storage;

/// <summary>
/// The node's storage: one SQLite database for the journal (the Raft logs of every replica on the node) and one
/// for the snapshot store, through Akka.Persistence.Sql. WAL journal mode with synchronous=FULL: a write is on
/// disk (fsynced) before the journal acknowledges it. Journal writes are group-committed across replicas by
/// <see cref="SqlGroupCommitJournal"/>. Pointing the plugins at PostgreSQL is a configuration change
/// (provider-name and connection-string); the group commit then steps aside.
/// </summary>
public static class SqlitePersistence
{
    public const string JournalFile = "journal.db";
    public const string SnapshotFile = "snapshots.db";
    public const string JournalPluginId = "akka.persistence.journal.sql";
    public const string SnapshotPluginId = "akka.persistence.snapshot-store.sql";

    /// <summary>HOCON for a node whose data lives in <paramref name="dataDirectory"/>, with the plugin's defaults as fallback.</summary>
    public static Config Config(string dataDirectory)
    {
        Directory.CreateDirectory(dataDirectory);
        var journal = Path.Combine(dataDirectory, JournalFile);
        var snapshots = Path.Combine(dataDirectory, SnapshotFile);
        PrepareDatabase(journal);
        PrepareDatabase(snapshots);
        var hocon = $$"""
            akka.persistence {
              journal {
                plugin = "{{JournalPluginId}}"
                auto-start-journals = ["{{JournalPluginId}}"]
                sql {
                  class = "Kahuna.Node.Storage.SqlGroupCommitJournal, kahuna"
                  connection-string = "{{Escape(ConnectionString(journal))}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = on
                  # SQLite: reads open a deferred (snapshot) transaction instead of taking the write lock.
                  read-isolation-level = read-uncommitted
                  replay-batch-size = 1000
                  # Group commit: at most this many rows per SQLite transaction, and queued operations before
                  # writers wait (back-pressure).
                  group-commit-max-rows = 4096
                  group-commit-max-queued = 8192
                  # Journal deletes (below each checkpoint) run in the group commits too, at most this many rows per
                  # commit, so compaction never holds the node's writes back for long. A replica's rows interleave with
                  # the other replicas', so each deleted row rewrites a page: 1,000 rows added ~17 ms to the commit
                  # that carried them, and every write of the node waited for it (p99.9 of persistent sets 110 against
                  # 153 ms with 200, medians of five alternating pairs, throughput the same).
                  delete-chunk-rows = 200
                  # WAL checkpoints: "background" (a thread checkpoints every interval without blocking commits; a
                  # WAL past restart-pages is reset once) or "inline" (SQLite's default: inside the commit that grows
                  # the WAL past 1000 pages, which stalls every write queued behind it).
                  wal-checkpoint = background
                  wal-checkpoint-interval = 250ms
                  wal-checkpoint-restart-pages = 16384
                }
              }
              snapshot-store {
                plugin = "{{SnapshotPluginId}}"
                sql {
                  connection-string = "{{Escape(ConnectionString(snapshots))}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = on
                  read-isolation-level = read-uncommitted
                }
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    /// <summary>
    /// The ActorSystem setup for a configuration: on SQLite plugins, every pooled connection runs
    /// synchronous=FULL (it is per connection, with no connection-string keyword) and a busy timeout (otherwise a
    /// locked database makes Microsoft.Data.Sqlite sleep a pool thread for 150 ms). Other providers are untouched.
    /// </summary>
    public static ActorSystemSetup Setup(Config config)
    {
        var multi = new MultiDataOptionsSetup();
        foreach (var pluginId in new[] { JournalPluginId, SnapshotPluginId })
        {
            var provider = config.GetString($"{pluginId}.provider-name", "");
            if (!provider.StartsWith("SQLite", StringComparison.OrdinalIgnoreCase)) continue;
            var options = new DataOptions()
                .UseConnectionString(provider, config.GetString($"{pluginId}.connection-string"))
                .UseAfterConnectionOpened(OnOpened, (c, _) => { OnOpened(c); return Task.CompletedTask; });
            multi.AddDataOptions(pluginId, options);
        }
        return ActorSystemSetup.Create(BootstrapSetup.Create().WithConfig(config), multi);
    }

    private static void OnOpened(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";
        command.ExecuteNonQuery();
    }

    public static string ConnectionString(string file) =>
        new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString();

    private static string Escape(string s) => s.Replace("\\", "\\\\").Replace("\"", "\\\"");

    /// <summary>WAL mode is a property of the database file, so it is set (and checked) once before any plugin opens it.</summary>
    private static void PrepareDatabase(string file)
    {
        using var connection = new SqliteConnection(ConnectionString(file));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        var mode = Convert.ToString(command.ExecuteScalar());
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"{file}: SQLite refused WAL journal mode (got '{mode}')");
        RefuseIfDamaged(connection, file);
    }

    /// <summary>
    /// A damaged page that recovery needs would fail every replica of the node over and over while the node still
    /// answered (forwarding to other nodes), neither serving its own data nor saying why. SQLite's quick_check reads
    /// every page of the tables and indexes (~1 s per few hundred MB from the page cache): the node refuses to start
    /// instead, with the reason, before anything is served from the damaged file.
    /// </summary>
    private static void RefuseIfDamaged(SqliteConnection connection, string file)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA quick_check(3);";
        var problems = new List<string>();
        try
        {
            using var reader = command.ExecuteReader();
            while (reader.Read()) problems.Add(reader.GetString(0));
        }
        catch (SqliteException ex)
        {
            problems.Add(ex.Message); // a page so damaged that the check itself stops
        }
        if (problems is ["ok"]) return;
        throw new InvalidOperationException(
            $"{file} is damaged (SQLite quick_check: {string.Join("; ", problems)}); refusing to start rather than serve from it. " +
            "Restore the data directory from a backup, or remove this node from the cluster and add it back with an empty one.");
    }
}
