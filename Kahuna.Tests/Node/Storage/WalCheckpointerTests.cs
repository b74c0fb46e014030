using Kahuna.Node.Storage;
using Kahuna.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kahuna.Tests.Node.Storage;

/// <summary>Checkpoints on their own thread: commits never wait for one, the WAL stays bounded, nothing is lost.</summary>
public sealed class WalCheckpointerTests
{
    private const int Writes = 2000;

    [Fact]
    public async Task BackgroundCheckpoints_RunBesideTheWriter_BoundTheWal_AndLoseNothing()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "journal.db");
        CreateJournal(path);

        using (var writer = new SqliteLogWriter(path, 4096, 1024, new WalCheckpointSettings(TimeSpan.FromMilliseconds(10), RestartAbovePages: 16)))
        {
            var ops = Enumerable.Range(1, Writes).Select(i => new OneRow(new JournalRow("p", i, 0, new byte[2048], 1, "m", "w"))).ToList();
            foreach (var op in ops) writer.Enqueue(op);
            await Task.WhenAll(ops.Select(o => o.Done.Task)).WaitAsync(TimeSpan.FromSeconds(60));

            // 2,000 commits of a 2 KB row each grow the WAL far past 16 pages between two checkpoints.
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (writer.Checkpointer!.RestartCheckpoints == 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
            Assert.True(writer.Checkpointer.PassiveCheckpoints > 0);
            Assert.True(writer.Checkpointer.RestartCheckpoints > 0);
            Assert.Equal(0, writer.Checkpointer.Failures);
        }

        using var check = new SqliteConnection($"Data Source={path}");
        check.Open();
        using var count = check.CreateCommand();
        count.CommandText = "SELECT COUNT(*), MIN(sequence_number), MAX(sequence_number) FROM journal";
        using var reader = count.ExecuteReader();
        Assert.True(reader.Read());
        Assert.Equal(Writes, reader.GetInt64(0));
        Assert.Equal(1, reader.GetInt64(1));
        Assert.Equal(Writes, reader.GetInt64(2));
    }

    [Fact]
    public void InlineCheckpoints_HaveNoCheckpointer_AndBadSettingsAreRefused()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "journal.db");
        CreateJournal(path);
        using (var writer = new SqliteLogWriter(path, 16, 16))
            Assert.Null(writer.Checkpointer);
        Assert.Throws<ArgumentOutOfRangeException>(() => new WalCheckpointer(path, TimeSpan.Zero, 16));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WalCheckpointer(path, TimeSpan.FromSeconds(1), 0));
    }

    private static void CreateJournal(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path}");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; CREATE TABLE journal(ordering INTEGER PRIMARY KEY AUTOINCREMENT, deleted INTEGER, " +
                              "persistence_id TEXT, sequence_number INTEGER, created INTEGER, message BLOB, identifier INTEGER, manifest TEXT, writer_uuid TEXT);";
        command.ExecuteNonQuery();
    }

    private sealed class OneRow(JournalRow row) : LogWriterOperation
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
        public override int Rows => 1;
        public override void Execute(SqliteLogWriter writer) => writer.Insert(row);
        public override void Complete() => Done.TrySetResult();
        public override void Fail(Exception error) => Done.TrySetException(error);
    }
}
