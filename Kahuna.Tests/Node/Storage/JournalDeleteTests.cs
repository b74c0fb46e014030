using Akka.Actor;
using Akka.Configuration;
using Akka.Persistence;
using Kahuna.Node.Storage;
using Kahuna.Tests.Support;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Kahuna.Tests.Node.Storage;

/// <summary>
/// Journal deletes on SQLite run in the log writer's commits, a chunk of rows at a time, with the stock plugin's
/// meaning: the highest deleted row stays (marked), so the sequence numbers of a replica never go back.
/// </summary>
[Collection("cluster")]
public sealed class JournalDeleteTests
{
    private sealed record PersistMany(int Count);
    private sealed record DeleteUpTo(long SequenceNr);
    private sealed record GetState;
    private sealed record State(IReadOnlyList<int> Values, long LastSequenceNr);
    private sealed record Deleted(long SequenceNr);

    private sealed class Recorder(string id) : UntypedPersistentActor
    {
        private readonly List<int> _values = new();
        private IActorRef? _requester;
        public override string PersistenceId => id;

        protected override void OnRecover(object message)
        {
            if (message is int value) _values.Add(value);
        }

        protected override void OnCommand(object message)
        {
            switch (message)
            {
                case PersistMany m:
                    PersistAll(Enumerable.Range((int)LastSequenceNr + 1, m.Count).ToList(), _values.Add);
                    DeferAsync(m, _ => Sender.Tell(Snapshot()));
                    break;
                case DeleteUpTo d:
                    _requester = Sender;
                    DeleteMessages(d.SequenceNr);
                    break;
                case DeleteMessagesSuccess s:
                    _requester!.Tell(new Deleted(s.ToSequenceNr));
                    break;
                case DeleteMessagesFailure f:
                    _requester!.Tell(new Status.Failure(f.Cause));
                    break;
                case GetState:
                    Sender.Tell(Snapshot());
                    break;
            }
        }

        private State Snapshot() => new(_values.ToList(), LastSequenceNr);
    }

    private static ActorSystem Start(string dir, string extra = "") =>
        ActorSystem.Create("journal-delete-test", SqlitePersistence.Setup(
            ConfigurationFactory.ParseString("akka.loglevel = WARNING\n" + extra).WithFallback(SqlitePersistence.Config(dir))));

    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Persists <paramref name="events"/> values (1..n), deletes up to <paramref name="deleteTo"/>, stops.</summary>
    private static async Task WriteThenDelete(string dir, int events, long deleteTo, string extra = "")
    {
        var system = Start(dir, extra);
        try
        {
            var actor = system.ActorOf(Props.Create(() => new Recorder("r")));
            Assert.Equal(events, (await actor.Ask<State>(new PersistMany(events), Wait)).LastSequenceNr);
            Assert.Equal(deleteTo, (await actor.Ask<Deleted>(new DeleteUpTo(deleteTo), Wait)).SequenceNr);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private static async Task<State> Recover(string dir)
    {
        var system = Start(dir);
        try
        {
            return await system.ActorOf(Props.Create(() => new Recorder("r"))).Ask<State>(new GetState(), Wait);
        }
        finally
        {
            await system.Terminate();
        }
    }

    /// <summary>The journal's rows for "r": (sequence number, deleted flag), in order.</summary>
    private static List<(long Seq, bool Deleted)> Rows(string dir)
    {
        using var connection = new SqliteConnection(SqlitePersistence.ConnectionString(Path.Combine(dir, SqlitePersistence.JournalFile)));
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sequence_number, deleted FROM journal WHERE persistence_id = 'r' ORDER BY sequence_number";
        using var reader = command.ExecuteReader();
        var rows = new List<(long, bool)>();
        while (reader.Read()) rows.Add((reader.GetInt64(0), reader.GetBoolean(1)));
        return rows;
    }

    /// <summary>The rows left after a delete: the kept one (marked), then the live ones.</summary>
    private static List<(long Seq, bool Deleted)> MarkedThenLive(long marked, int firstLive, int live) =>
        [(marked, true), .. Enumerable.Range(firstLive, live).Select(i => ((long)i, false))];

    [Theory]
    [InlineData(30, 25)] // some rows stay live
    [InlineData(12, 12)] // every row goes but the kept one
    public async Task Delete_KeepsTheHighestDeletedRowMarked_RecoveryReplaysOnlyWhatIsAbove_AndSequenceNumbersGoOn(int events, int deleteTo)
    {
        using var temp = new TempDirectory();
        await WriteThenDelete(temp.Path, events, deleteTo);

        Assert.Equal(MarkedThenLive(deleteTo, deleteTo + 1, events - deleteTo), Rows(temp.Path));
        var recovered = await Recover(temp.Path);
        Assert.Equal(Enumerable.Range(deleteTo + 1, events - deleteTo), recovered.Values);
        Assert.Equal(events, recovered.LastSequenceNr);
    }

    [Fact]
    public async Task ALongDelete_RunsInChunks_OneCommitEach_AndFinishesWithTheSameResult()
    {
        using var temp = new TempDirectory();
        var system = Start(temp.Path, "akka.persistence.journal.sql.delete-chunk-rows = 7");
        try
        {
            var actor = system.ActorOf(Props.Create(() => new Recorder("r")));
            await actor.Ask<State>(new PersistMany(60), Wait);
            var writer = SqlGroupCommitJournal.Current!;
            var commitsBefore = writer.Commits;
            var rowsWrittenBefore = writer.RowsWritten;
            await actor.Ask<Deleted>(new DeleteUpTo(50), Wait);
            // 49 rows below the kept one, 7 per commit: 7 commits (nothing else writes meanwhile).
            Assert.Equal(7, writer.Commits - commitsBefore);
            // A delete writes no rows: the benchmarks' "events per fsync" counts only what was inserted.
            Assert.Equal(rowsWrittenBefore, writer.RowsWritten);
        }
        finally
        {
            await system.Terminate();
        }

        Assert.Equal(MarkedThenLive(50, 51, 10), Rows(temp.Path));
        Assert.Equal(Enumerable.Range(51, 10), (await Recover(temp.Path)).Values);
    }
}
