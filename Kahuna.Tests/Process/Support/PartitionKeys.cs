using Kahuna.Node.Partitions;

namespace Kahuna.Tests.ProcessLevel.Support;

/// <summary>
/// Keys that land in a chosen partition. The static partition map is deterministic (the same on every node), so the
/// tests compute it too and pick, for each partition, a hash tag ("{tag}") that falls in it: every key carrying that
/// tag lives in that partition. This is how a test makes sure its load touches every partition (and so every leader).
/// </summary>
internal sealed class PartitionKeys
{
    private readonly string[] _tags;

    public PartitionKeys(PartitionMap map)
    {
        Map = map;
        _tags = new string[map.Partitions.Length];
        for (int i = 0, found = 0; found < _tags.Length; i++)
        {
            var tag = $"t{i}";
            int index = map.Partitions.IndexOf(map.ForKey(tag));
            if (_tags[index] is null)
            {
                _tags[index] = tag;
                found++;
            }
        }
    }

    public PartitionMap Map { get; }

    /// <summary>Partition indexes 0..Count-1 (positions in <see cref="PartitionMap.Partitions"/>).</summary>
    public int Count => _tags.Length;

    public IEnumerable<int> All => Enumerable.Range(0, Count);

    /// <summary>A key in partition <paramref name="partition"/>: "{tag}/name".</summary>
    public string Key(int partition, string name) => $"{{{_tags[partition]}}}/{name}";

    /// <summary>The partition (index) a key lands in.</summary>
    public int PartitionOf(string key) => Map.Partitions.IndexOf(Map.ForKey(key));
}
