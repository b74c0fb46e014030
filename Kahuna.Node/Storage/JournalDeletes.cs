using Microsoft.Data.Sqlite;

namespace Kahuna.Node.Storage;

/// <summary>
/// Akka.Persistence.Sql's journal delete (the highest row at or below the bound stays, marked deleted, so a replica's
/// highest sequence number survives; every row below it goes, tags included), run by the node's log writer on its
/// own connection, inside its transactions, a bounded number of rows at a time.
/// </summary>
/// <remarks>
/// The stock plugin deletes on a pooled connection of its own, in one transaction. On SQLite that transaction holds
/// the database's only write lock while it rewrites every page the replica's rows share with the other replicas'
/// (their rows interleave in the table): with eight replicas per node, thousands of pages for one checkpoint. The log
/// writer, refused the lock, slept in SQLite's busy handler (1, 2, 5, 10, 20 ms ...) with every replica's writes
/// queued behind it. Here a delete is one more operation in the writer's queue, and it removes at most a chunk of
/// rows per commit, so a checkpoint never holds the node's writes back for more than one chunk.
/// </remarks>
public sealed class JournalDeletes : IDisposable
{
    private readonly SqliteCommand _highestUpTo, _lowestBelow, _markDeleted, _deleteBelow, _deleteTagsBelow;

    public JournalDeletes(SqliteConnection connection)
    {
        _highestUpTo = Command(connection, "SELECT MAX(sequence_number) FROM journal WHERE persistence_id = $pid AND sequence_number <= $seq");
        _lowestBelow = Command(connection, "SELECT MIN(sequence_number) FROM journal WHERE persistence_id = $pid AND sequence_number < $seq");
        _markDeleted = Command(connection, "UPDATE journal SET deleted = 1 WHERE persistence_id = $pid AND sequence_number = $seq");
        _deleteBelow = Command(connection, "DELETE FROM journal WHERE persistence_id = $pid AND sequence_number < $seq");
        _deleteTagsBelow = Command(connection, "DELETE FROM tags WHERE persistence_id = $pid AND sequence_nr < $seq");
    }

    private IEnumerable<SqliteCommand> All => [_highestUpTo, _lowestBelow, _markDeleted, _deleteBelow, _deleteTagsBelow];

    /// <summary>The writer's current transaction, which every statement here joins.</summary>
    public SqliteTransaction? Transaction
    {
        set
        {
            foreach (var command in All) command.Transaction = value;
        }
    }

    /// <summary>
    /// One part of deleting <paramref name="persistenceId"/>'s rows up to <paramref name="toSequenceNr"/>: marks the
    /// highest of them deleted and removes at most <paramref name="maxRows"/> of the oldest below it. Idempotent, so a
    /// part whose transaction was rolled back can simply run again. Returns true while rows to delete remain.
    /// </summary>
    public bool DeletePart(string persistenceId, long toSequenceNr, int maxRows)
    {
        if (Scalar(_highestUpTo, persistenceId, toSequenceNr) is not long highest) return false;
        Run(_markDeleted, persistenceId, highest);
        if (Scalar(_lowestBelow, persistenceId, highest) is not long lowest) return false;
        // A range of maxRows sequence numbers holds at most maxRows rows (exactly that many: a replica's have no gaps).
        var end = Math.Min(highest, lowest + maxRows);
        Run(_deleteBelow, persistenceId, end);
        if (end < highest) return true;
        Run(_deleteTagsBelow, persistenceId, highest);
        return false;
    }

    private static object? Scalar(SqliteCommand command, string persistenceId, long sequenceNr)
    {
        Bind(command, persistenceId, sequenceNr);
        return command.ExecuteScalar();
    }

    private static void Run(SqliteCommand command, string persistenceId, long sequenceNr)
    {
        Bind(command, persistenceId, sequenceNr);
        command.ExecuteNonQuery();
    }

    private static void Bind(SqliteCommand command, string persistenceId, long sequenceNr)
    {
        command.Parameters["$pid"].Value = persistenceId;
        command.Parameters["$seq"].Value = sequenceNr;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.Add("$pid", SqliteType.Text);
        command.Parameters.Add("$seq", SqliteType.Integer);
        return command;
    }

    public void Dispose()
    {
        foreach (var command in All) command.Dispose();
    }
}
