using Akka.Actor;

namespace Kahuna.Node.Cluster;

/// <summary>
/// The peers' cluster addresses a node has seen, kept in its data directory (one "node-id akka-address" line each)
/// so that after a restart its replicas can reach their peers before Akka membership admits it again. Only a hint:
/// a missing, unreadable or stale file costs nothing but that head start (messages to a wrong address are lost, which
/// Raft tolerates), so errors are swallowed rather than stopping the node.
/// </summary>
internal sealed class KnownPeersFile(string path)
{
    public const string FileName = "known-peers.txt";

    private readonly Lock _gate = new();

    public IEnumerable<(string Id, Address Address)> Load()
    {
        string[] lines;
        try
        {
            if (!File.Exists(path)) return [];
            lines = File.ReadAllLines(path);
        }
        catch (IOException)
        {
            return [];
        }
        var peers = new List<(string, Address)>();
        foreach (var line in lines)
        {
            var parts = line.Split(' ', 2, StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0) continue;
            try
            {
                peers.Add((parts[0], Address.Parse(parts[1])));
            }
            catch (Exception e) when (e is UriFormatException or ArgumentException or FormatException)
            {
                // a damaged line is skipped: the peer is learned again from membership
            }
        }
        return peers;
    }

    /// <summary>Writes the whole map to a temporary file and renames it over the old one (never a half-written file).</summary>
    public void Save(IEnumerable<KeyValuePair<string, Address>> peers)
    {
        lock (_gate)
        {
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
                var temp = path + ".tmp";
                File.WriteAllLines(temp, peers.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key} {p.Value}"));
                File.Move(temp, path, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // best effort (see the class comment)
            }
        }
    }
}
