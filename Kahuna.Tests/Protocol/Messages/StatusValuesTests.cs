using System.Text.RegularExpressions;
using Kahuna.Protocol;
using Xunit;

namespace Kahuna.Tests.Protocol.Messages;

/// <summary>PROTOCOL.md lists every status with its value on the wire, for clients in other languages: the list is the enum.</summary>
public class StatusValuesTests
{
    [Fact]
    public void TheStatusValuesInProtocolMd_AreTheEnumsValues_AllOfThem()
    {
        var doc = File.ReadAllText(Path.Combine(Kahuna.Tests.Raft.Core.RaftCorePurityTests.RepositoryRoot(), "Kahuna.Protocol", "PROTOCOL.md"));
        var paragraph = Regex.Match(doc, @"Values on the wire:(.*?)\(append-only", RegexOptions.Singleline).Groups[1].Value;
        var documented = Regex.Matches(paragraph, @"`(\w+)` (\d+)").ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value));

        var actual = Enum.GetValues<KahunaStatus>().ToDictionary(s => s.ToString(), s => (int)s);

        Assert.Equal(actual.OrderBy(kv => kv.Value), documented.OrderBy(kv => kv.Value));
    }
}
