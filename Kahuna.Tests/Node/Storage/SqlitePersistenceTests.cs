using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Kahuna.Node.Storage;
using Kahuna.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kahuna.Tests.Node.Storage;

/// <summary>The node's journal: durable settings, group commit across persistent actors, and replay of what it wrote.</summary>
[Collection("cluster")]
public sealed class SqlitePersistenceTests
{
    private sealed record Persisted(int Value);
    private sealed record PersistMany(int Count);
    private sealed record Done(string Id, int Count);
    private sealed record GetState;

    private sealed class Counter : UntypedPersistentActor
    {
        private readonly string _id;
        private readonly List<int> _values = new();
        private IActorRef? _requester;
        private int _left;

        public Counter(string id) => _id = id;
        public override string PersistenceId => _id;

        protected override void OnRecover(object message)
        {
            if (message is Persisted p) _values.Add(p.Value);
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case PersistMany m:
                    _requester = Sender;
                    _left = m.Count;
                    Next();
                    break;
                case GetState:
                    Sender.Tell(new Done(_id, _values.Count));
                    break;
            }
        }

        // One event at a time, each waiting for the previous to be durable: the worst case for fsync-per-write.
        private void Next()
        {
            if (_left-- == 0)
            {
                _requester!.Tell(new Done(_id, _values.Count));
                return;
            }
            Persist(new Persisted(_values.Count), e => { _values.Add(e.Value); Next(); });
        }
    }

    private static ActorSystem Start(string dir) =>
        ActorSystem.Create("storage-test", SqlitePersistence.Setup(
            ConfigurationFactory.ParseString("akka.loglevel = WARNING").WithFallback(SqlitePersistence.Config(dir))));

    [Fact]
    public async Task ManyActors_ShareCommits_AndEverythingReplaysAfterRestart()
    {
        using var temp = new TempDirectory();
        const int actors = 48, events = 40;
        var system = Start(temp.Path);
        try
        {
            var refs = Enumerable.Range(0, actors).Select(i => system.ActorOf(Props.Create(() => new Counter($"c{i}")))).ToList();
            var done = await Task.WhenAll(refs.Select(r => r.Ask<Done>(new PersistMany(events), TimeSpan.FromSeconds(60))));
            Assert.All(done, d => Assert.Equal(events, d.Count));
            var writer = SqlGroupCommitJournal.Current!;
            Assert.Equal(actors * events, writer.RowsWritten);
            // Group commit: with many actors waiting on the disk at once, transactions (fsyncs) carry several writes.
            Assert.True(writer.Commits < writer.RowsWritten / 2, $"{writer.Commits} commits for {writer.RowsWritten} rows");
        }
        finally
        {
            await system.Terminate();
        }

        // The stock plugin's read path replays what the group-commit writer wrote.
        system = Start(temp.Path);
        try
        {
            for (var i = 0; i < actors; i++)
            {
                var actor = system.ActorOf(Props.Create(() => new Counter($"c{i}")));
                Assert.Equal(events, (await actor.Ask<Done>(new GetState(), TimeSpan.FromSeconds(30))).Count);
            }
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Journal_DropsTheIndexesOnlyQueriesUse_AndStillReplays()
    {
        using var temp = new TempDirectory();
        var journal = Path.Combine(temp.Path, SqlitePersistence.JournalFile);
        // A data directory from before: the plugin's schema with its two secondary indexes.
        using (var c = new SqliteConnection(SqlitePersistence.ConnectionString(journal)))
        {
            c.Open();
            JournalSchema.Ensure(c);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE INDEX journal_created_idx ON journal (created); " +
                              "CREATE INDEX journal_sequence_number_idx ON journal (sequence_number);";
            cmd.ExecuteNonQuery();
        }

        for (var round = 1; round <= 2; round++)
        {
            var system = Start(temp.Path);
            try
            {
                var actor = system.ActorOf(Props.Create(() => new Counter("c")));
                Assert.Equal(5 * round, (await actor.Ask<Done>(new PersistMany(5), TimeSpan.FromSeconds(30))).Count);
            }
            finally
            {
                await system.Terminate();
            }
        }

        using var check = new SqliteConnection(SqlitePersistence.ConnectionString(journal));
        check.Open();
        using var list = check.CreateCommand();
        list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'journal' ORDER BY name";
        using var reader = list.ExecuteReader();
        var indexes = new List<string>();
        while (reader.Read()) indexes.Add(reader.GetString(0));
        Assert.Equal(["journal_uq"], indexes);
    }

    [Fact]
    public void DamagedJournalPage_NodeRefusesToStart_SayingWhichFileAndWhy()
    {
        using var temp = new TempDirectory();
        var journal = Path.Combine(temp.Path, SqlitePersistence.JournalFile);
        SqlitePersistence.Config(temp.Path); // a healthy database passes the check
        using (var c = new SqliteConnection(SqlitePersistence.ConnectionString(journal)))
        {
            c.Open();
            JournalSchema.Ensure(c);
            using var cmd = c.CreateCommand();
            cmd.CommandText = "INSERT INTO journal(created, deleted, persistence_id, sequence_number, message) VALUES (0, 0, 'p', $n, randomblob(1000))";
            var n = cmd.Parameters.Add("$n", SqliteType.Integer);
            for (var i = 1; i <= 200; i++)
            {
                n.Value = i;
                cmd.ExecuteNonQuery();
            }
            cmd.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            cmd.Parameters.Clear();
            cmd.ExecuteNonQuery();
        }
        SqliteConnection.ClearAllPools();
        SqlitePersistence.Config(temp.Path);
        SqliteConnection.ClearAllPools(); // a pooled connection would read its cached copy of the page below

        // A page in the middle of the journal table (past the schema pages) becomes garbage, as on a lying disk.
        using (var stream = new FileStream(journal, FileMode.Open, FileAccess.ReadWrite))
        {
            var garbage = new byte[4096];
            new Random(7).NextBytes(garbage);
            stream.Seek(stream.Length / 2 / 4096 * 4096, SeekOrigin.Begin);
            stream.Write(garbage);
        }

        var refused = Assert.Throws<InvalidOperationException>(() => SqlitePersistence.Config(temp.Path));
        Assert.Contains(SqlitePersistence.JournalFile, refused.Message);
        Assert.Contains("is damaged (SQLite quick_check", refused.Message);
    }

    [Fact]
    public void DatabaseFiles_UseWal_AndSyncEveryCommit()
    {
        using var temp = new TempDirectory();
        SqlitePersistence.Config(temp.Path);
        foreach (var file in new[] { SqlitePersistence.JournalFile, SqlitePersistence.SnapshotFile })
        {
            using var c = new SqliteConnection(SqlitePersistence.ConnectionString(Path.Combine(temp.Path, file)));
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("wal", Convert.ToString(cmd.ExecuteScalar()));
            // FULL (2) even on a connection that sets nothing: the bundled SQLite's WAL default; the plugin's
            // connections and the log writer also set it explicitly.
            cmd.CommandText = "PRAGMA synchronous;";
            Assert.Equal(2L, Convert.ToInt64(cmd.ExecuteScalar()));
        }
    }
}
