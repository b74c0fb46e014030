using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Storage;

/// <summary>How the background WAL checkpointer runs (see <see cref="WalCheckpointer"/>).</summary>
public sealed record WalCheckpointSettings(TimeSpan Interval, long RestartAbovePages);

/// <summary>One journal row, its payload already serialized.</summary>
public sealed record JournalRow(string PersistenceId, long SequenceNr, long Created, byte[] Message, int SerializerId, string Manifest, string WriterUuid);

/// <summary>
/// A unit of work for the node's log writer (rows to insert, a journal delete), completed only after its transaction
/// committed (fsynced); one that runs in parts (<see cref="HasMore"/>) after the transaction of its last part.
/// </summary>
public abstract class LogWriterOperation
{
    /// <summary>What the operation counts against a commit's row cap.</summary>
    public abstract int Rows { get; }
    /// <summary>Rows it inserts (the writer's "rows written" counters); a delete inserts none.</summary>
    public virtual int InsertedRows => Rows;
    public abstract void Execute(SqliteLogWriter writer);
    /// <summary>After a commit: true if the operation has more parts to run in later commits (a long delete).</summary>
    public virtual bool HasMore => false;
    public abstract void Complete();
    public abstract void Fail(Exception error);
}

/// <summary>
/// The node-wide group-commit writer. Every replica's journal writes (and deletes) go into one bounded queue; a
/// dedicated thread takes everything waiting (up to a row cap), runs it in ONE SQLite transaction and therefore one
/// fsync, and then completes all the callers. While one commit is on its way to disk the next batch accumulates, so the more
/// replicas write at once, the more each fsync carries. If a shared transaction fails, its operations are retried
/// one by one, so a single bad write fails alone instead of taking every replica in the batch with it.
/// </summary>
public sealed class SqliteLogWriter : IDisposable
{
    private readonly BlockingCollection<LogWriterOperation> _queue;
    private readonly Thread _thread;
    private readonly int _maxRows;
    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _insert;
    private readonly SqliteParameter _pid, _seq, _created, _message, _serializer, _manifest, _writer;
    private readonly List<LogWriterOperation> _unfinished = new();
    private long _commits;
    private long _rows;

    private readonly WalCheckpointer? _checkpointer;

    /// <param name="backgroundCheckpoints">Null: SQLite checkpoints inside commits (its default). Otherwise a
    /// <see cref="WalCheckpointer"/> does it on its own thread and commits never wait for one.</param>
    public SqliteLogWriter(string path, int maxRowsPerCommit, int maxQueuedOperations, WalCheckpointSettings? backgroundCheckpoints = null)
    {
        _maxRows = maxRowsPerCommit;
        _queue = new BlockingCollection<LogWriterOperation>(new ConcurrentQueue<LogWriterOperation>(), maxQueuedOperations);
        _connection = new SqliteConnection(SqlitePersistence.ConnectionString(path));
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;");
        if (backgroundCheckpoints is not null)
        {
            Execute("PRAGMA wal_autocheckpoint=0;");
            _checkpointer = new WalCheckpointer(path, backgroundCheckpoints.Interval, backgroundCheckpoints.RestartAbovePages);
        }
        _insert = _connection.CreateCommand();
        _insert.CommandText = "INSERT INTO journal(deleted, persistence_id, sequence_number, created, message, identifier, manifest, writer_uuid) " +
                              "VALUES (0, $pid, $seq, $created, $msg, $ser, $man, $w)";
        _pid = _insert.Parameters.Add("$pid", SqliteType.Text);
        _seq = _insert.Parameters.Add("$seq", SqliteType.Integer);
        _created = _insert.Parameters.Add("$created", SqliteType.Integer);
        _message = _insert.Parameters.Add("$msg", SqliteType.Blob);
        _serializer = _insert.Parameters.Add("$ser", SqliteType.Integer);
        _manifest = _insert.Parameters.Add("$man", SqliteType.Text);
        _writer = _insert.Parameters.Add("$w", SqliteType.Text);
        Deletes = new JournalDeletes(_connection);
        _thread = new Thread(Run) { IsBackground = true, Name = "kahuna-log-writer" };
        _thread.Start();
    }

    /// <summary>Journal deletes, run by operations on this writer's thread (see <see cref="JournalDeletes"/>).</summary>
    public JournalDeletes Deletes { get; }

    /// <summary>The background checkpointer, when checkpoints are not inline (tests read its counters).</summary>
    public WalCheckpointer? Checkpointer => _checkpointer;

    /// <summary>Transactions committed (each one fsync) and rows written, for benchmarks and status.</summary>
    public long Commits => Interlocked.Read(ref _commits);
    public long RowsWritten => Interlocked.Read(ref _rows);

    /// <summary>Totals over every writer in the process (benchmarks run several nodes in one process).</summary>
    public static long AllCommits => Interlocked.Read(ref s_allCommits);
    public static long AllRows => Interlocked.Read(ref s_allRows);
    private static long s_allCommits;
    private static long s_allRows;

    /// <summary>Queues an operation; blocks the caller while the queue is full (back-pressure on the journal).</summary>
    public void Enqueue(LogWriterOperation op)
    {
        try
        {
            _queue.Add(op);
        }
        catch (InvalidOperationException e)
        {
            op.Fail(e);
        }
    }

    public void Insert(JournalRow r)
    {
        _pid.Value = r.PersistenceId;
        _seq.Value = r.SequenceNr;
        _created.Value = r.Created;
        _message.Value = r.Message;
        _serializer.Value = r.SerializerId;
        _manifest.Value = r.Manifest;
        _writer.Value = r.WriterUuid;
        _insert.ExecuteNonQuery();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private void Run()
    {
        var batch = new List<LogWriterOperation>(256);
        while (true)
        {
            // Operations with parts left go first; the writer waits for new work only when none are left.
            batch.Clear();
            int rows = 0, inserted = 0;
            foreach (var op in _unfinished)
            {
                batch.Add(op);
                rows += op.Rows;
                inserted += op.InsertedRows;
            }
            _unfinished.Clear();
            if (batch.Count == 0)
            {
                if (!_queue.TryTake(out var first, Timeout.Infinite)) return; // disposed and drained
                batch.Add(first);
                rows = first.Rows;
                inserted = first.InsertedRows;
            }
            while (rows < _maxRows && _queue.TryTake(out var next))
            {
                batch.Add(next);
                rows += next.Rows;
                inserted += next.InsertedRows;
            }
            if (TryCommit(batch, inserted, out _))
            {
                foreach (var op in batch) Committed(op);
                continue;
            }
            // The shared transaction failed: find the culprit(s) by committing each operation on its own.
            foreach (var op in batch)
            {
                if (TryCommit([op], op.InsertedRows, out var error)) Committed(op);
                else op.Fail(error!);
            }
        }
    }

    private void Committed(LogWriterOperation op)
    {
        if (op.HasMore) _unfinished.Add(op);
        else op.Complete();
    }

    private bool TryCommit(IReadOnlyList<LogWriterOperation> batch, int insertedRows, out Exception? error)
    {
        try
        {
            using (var tx = _connection.BeginTransaction(deferred: false))
            {
                _insert.Transaction = tx;
                Deletes.Transaction = tx;
                foreach (var op in batch) op.Execute(this);
                tx.Commit(); // synchronous=FULL in WAL mode: the WAL is fsynced here, once for the whole batch
            }
            Interlocked.Increment(ref _commits);
            Interlocked.Add(ref _rows, insertedRows);
            Interlocked.Increment(ref s_allCommits);
            Interlocked.Add(ref s_allRows, insertedRows);
            error = null;
            return true;
        }
        catch (Exception e)
        {
            error = e;
            return false;
        }
    }

    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join(TimeSpan.FromSeconds(10));
        _checkpointer?.Dispose();
        _insert.Dispose();
        Deletes.Dispose();
        _connection.Dispose();
    }
}
