using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Storage;

/// <summary>
/// Takes SQLite's WAL checkpoints off the commit path. By default SQLite checkpoints inside the commit that grows
/// the WAL past 1000 pages: that commit (and every write queued behind it in the group-commit writer) waits while
/// ~4 MB of pages are copied into the database file and it is fsynced — under a steady write load, a stall every
/// half second that showed up as the p99 of persistent writes. Here the log writer turns automatic checkpoints off
/// and this thread, on its own connection, runs a PASSIVE checkpoint every interval; PASSIVE never blocks writers
/// (WAL mode lets a checkpoint copy committed frames while new ones are appended). The WAL restarts from its
/// beginning whenever a checkpoint has caught up; if a steady load keeps it from ever catching up and the WAL
/// passes <c>restartAbovePages</c>, one RESTART checkpoint (it briefly holds writers back) bounds its size.
/// </summary>
public sealed class WalCheckpointer : IDisposable
{
    private readonly string _path;
    private readonly TimeSpan _interval;
    private readonly long _restartAbovePages;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;
    private long _passive;
    private long _restarts;
    private long _failures;

    public WalCheckpointer(string path, TimeSpan interval, long restartAbovePages)
    {
        if (interval <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(interval), interval, "must be positive");
        if (restartAbovePages < 1) throw new ArgumentOutOfRangeException(nameof(restartAbovePages), restartAbovePages, "must be at least 1");
        _path = path;
        _interval = interval;
        _restartAbovePages = restartAbovePages;
        _thread = new Thread(Run) { IsBackground = true, Name = "kahuna-wal-checkpointer" };
        _thread.Start();
    }

    /// <summary>PASSIVE checkpoints run, RESTART checkpoints forced by the size bound, and checkpoints that failed.</summary>
    public long PassiveCheckpoints => Interlocked.Read(ref _passive);
    public long RestartCheckpoints => Interlocked.Read(ref _restarts);
    public long Failures => Interlocked.Read(ref _failures);

    private void Run()
    {
        using var connection = new SqliteConnection(SqlitePersistence.ConnectionString(_path));
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "PRAGMA busy_timeout=10000; PRAGMA wal_autocheckpoint=0;";
            setup.ExecuteNonQuery();
        }
        while (!_stop.Token.WaitHandle.WaitOne(_interval))
        {
            try
            {
                var (logPages, _) = Checkpoint(connection, "PASSIVE");
                Interlocked.Increment(ref _passive);
                if (logPages < _restartAbovePages) continue;
                Checkpoint(connection, "RESTART");
                Interlocked.Increment(ref _restarts);
            }
            catch (SqliteException)
            {
                // Busy or I/O trouble: the WAL only grows until the next attempt; writes stay durable in it.
                Interlocked.Increment(ref _failures);
            }
        }
        // A last checkpoint so a clean stop leaves a short WAL for the next start to read.
        try { Checkpoint(connection, "PASSIVE"); } catch (SqliteException) { /* see above */ }
    }

    /// <summary>Runs one checkpoint; returns the WAL's size in pages and how many of them are now in the database.</summary>
    private static (long LogPages, long CheckpointedPages) Checkpoint(SqliteConnection connection, string mode)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA wal_checkpoint({mode});";
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetInt64(1), reader.GetInt64(2)) : (0, 0);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
