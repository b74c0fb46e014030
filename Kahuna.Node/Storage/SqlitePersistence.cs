using Akka.Configuration;
using Akka.Persistence.Sql;
using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Storage;

/// <summary>
/// The node's storage: one SQLite database for the journal (the Raft logs of every replica on the node) and one for
/// the snapshot store, through Akka.Persistence.Sql. WAL journal mode with synchronous=FULL: a write is on disk
/// (fsynced) before the journal acknowledges it. Pointing the plugin at PostgreSQL is a configuration change.
/// </summary>
public static class SqlitePersistence
{
    public const string JournalFile = "journal.db";
    public const string SnapshotFile = "snapshots.db";

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
                plugin = "akka.persistence.journal.sql"
                sql {
                  connection-string = "{{ConnectionString(journal)}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = on
                }
              }
              snapshot-store {
                plugin = "akka.persistence.snapshot-store.sql"
                sql {
                  connection-string = "{{ConnectionString(snapshots)}}"
                  provider-name = "SQLite.MS"
                  auto-initialize = on
                }
              }
            }
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(SqlPersistence.DefaultConfiguration);
    }

    public static string ConnectionString(string file) =>
        new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString().Replace("\"", "\\\"");

    /// <summary>
    /// WAL mode is a property of the database file, so it is set once here before any plugin opens it. In WAL mode
    /// SQLite's default synchronous level (FULL in the bundled build) syncs the WAL on every commit.
    /// </summary>
    private static void PrepareDatabase(string file)
    {
        using var connection = new SqliteConnection(ConnectionString(file));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL;";
        command.ExecuteNonQuery();
    }
}
