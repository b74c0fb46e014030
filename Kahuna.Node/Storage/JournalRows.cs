using System.Collections.Immutable;
using Akka.Persistence;
using Akka.Persistence.Journal;

namespace Kahuna.Node.Storage;

/// <summary>Turns Akka's AtomicWrites into rows of exactly the shape Akka.Persistence.Sql stores and replays.</summary>
internal static class JournalRows
{
    public static (List<JournalRow> Rows, IImmutableList<Exception>? Rejections) Serialize(
        IEnumerable<AtomicWrite> messages, Akka.Serialization.Serialization serialization, string writerUuid)
    {
        var created = DateTime.UtcNow.Ticks;
        var writes = messages.ToList();
        var rows = new List<JournalRow>();
        var rejections = new Exception?[writes.Count];
        var anyRejected = false;
        for (var i = 0; i < writes.Count; i++)
        {
            // An AtomicWrite is all or nothing: serialize all of it before taking any of it.
            try
            {
                var batch = new List<JournalRow>();
                foreach (var p in (IImmutableList<IPersistentRepresentation>)writes[i].Payload)
                {
                    var serializer = serialization.FindSerializerFor(p.Payload);
                    var manifest = Akka.Serialization.Serialization.ManifestFor(serializer, p.Payload);
                    batch.Add(new JournalRow(p.PersistenceId, p.SequenceNr, p.Timestamp == 0 ? created : p.Timestamp,
                        serializer.ToBinary(p.Payload), serializer.Identifier, manifest, writerUuid));
                }
                rows.AddRange(batch);
            }
            catch (Exception e)
            {
                rejections[i] = e;
                anyRejected = true;
            }
        }
        // Akka reads a null element as "this write succeeded"; the type has no nullable annotation.
        return (rows, anyRejected ? (IImmutableList<Exception>)rejections.ToImmutableList()! : null);
    }

    public static bool HasTags(IEnumerable<AtomicWrite> messages) =>
        messages.Any(w => ((IImmutableList<IPersistentRepresentation>)w.Payload).Any(p => p.Payload is Tagged));
}
