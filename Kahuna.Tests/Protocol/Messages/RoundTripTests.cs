using System.Buffers;
using System.Reflection;
using Kahuna.Protocol;
using Kahuna.Protocol.Framing;
using Kahuna.Protocol.Messages;
using MessagePack;
using Xunit;

namespace Kahuna.Tests.Protocol.Messages;

public class RoundTripTests
{
    public static TheoryData<int> RequestIndexes() => new(Enumerable.Range(0, MessageSamples.Requests.Length));

    public static TheoryData<int> ResponseIndexes() => new(Enumerable.Range(0, MessageSamples.Responses.Length));

    [Fact]
    public void Samples_CoverEveryMessageTypeOnce()
    {
        var requestTypes = typeof(KahunaRequest).GetCustomAttributes<UnionAttribute>().Select(u => u.SubType).ToHashSet();
        var responseTypes = typeof(KahunaResponse).GetCustomAttributes<UnionAttribute>().Select(u => u.SubType).ToHashSet();
        Assert.True(requestTypes.SetEquals(MessageSamples.Requests.Select(r => r.GetType())));
        Assert.True(responseTypes.SetEquals(MessageSamples.Responses.Select(r => r.GetType())));
    }

    [Theory]
    [MemberData(nameof(RequestIndexes))]
    public void Request_RoundTripsWithEveryField(int index)
    {
        var sample = MessageSamples.Requests[index];
        AssertEveryKeyedFieldIsSet(sample);
        var bytes = Encode(w => MessageCodec.EncodeRequest(w, 77, sample));

        var decoded = MessageCodec.DecodeRequest(new ReadOnlySequence<byte>(bytes));

        Assert.True(decoded.Succeeded, decoded.Error);
        Assert.Equal(77UL, decoded.RequestId);
        Assert.IsType(sample.GetType(), decoded.Message);
        AssertSameKeyedFields(sample, decoded.Message!);
        Assert.Equal(bytes, Encode(w => MessageCodec.EncodeRequest(w, 77, decoded.Message!)));
    }

    [Theory]
    [MemberData(nameof(ResponseIndexes))]
    public void Response_RoundTripsWithEveryField(int index)
    {
        var sample = MessageSamples.Responses[index];
        AssertEveryKeyedFieldIsSet(sample);
        var bytes = Encode(w => MessageCodec.EncodeResponse(w, ulong.MaxValue, sample));

        var decoded = MessageCodec.DecodeResponse(new ReadOnlySequence<byte>(bytes));

        Assert.True(decoded.Succeeded, decoded.Error);
        Assert.Equal(ulong.MaxValue, decoded.RequestId);
        Assert.IsType(sample.GetType(), decoded.Message);
        AssertSameKeyedFields(sample, decoded.Message!);
    }

    [Fact]
    public void OperationId_KeepsTheClientGuid()
    {
        var client = Guid.NewGuid();

        var id = OperationId.Create(client, 5);

        Assert.Equal(client, id.ClientId);
        Assert.Equal(5, id.Sequence);
        Assert.False(id.IsEmpty);
        Assert.True(default(OperationId).IsEmpty);
    }

    private static byte[] Encode(Action<ArrayBufferWriter<byte>> encode)
    {
        var buffer = new ArrayBufferWriter<byte>();
        encode(buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static IEnumerable<PropertyInfo> KeyedProperties(Type type) =>
        type.GetProperties().Where(p => p.GetCustomAttribute<KeyAttribute>() is not null);

    /// <summary>A sample with a default field would let that field's encoding go untested.</summary>
    private static void AssertEveryKeyedFieldIsSet(object sample)
    {
        foreach (var property in KeyedProperties(sample.GetType()))
        {
            object? value = property.GetValue(sample);
            object? defaultValue = property.PropertyType.IsValueType ? Activator.CreateInstance(property.PropertyType) : null;
            // Status Ok is 0 and is covered by the end-to-end tests.
            if (property.Name == nameof(KahunaResponse.Status))
                continue;
            Assert.False(Equals(value, defaultValue), $"{sample.GetType().Name}.{property.Name} is not set in the sample");
        }
    }

    private static void AssertSameKeyedFields(object expected, object actual)
    {
        foreach (var property in KeyedProperties(expected.GetType()))
        {
            object? want = property.GetValue(expected);
            object? got = property.GetValue(actual);
            if (want is byte[] wantBytes)
                Assert.Equal(wantBytes, Assert.IsType<byte[]>(got));
            else if (want is System.Collections.IEnumerable and not string)
                // Nested records holding arrays compare arrays by reference; compare their content instead.
                Assert.Equal(System.Text.Json.JsonSerializer.Serialize(want), System.Text.Json.JsonSerializer.Serialize(got));
            else
                Assert.Equal(want, got);
        }
    }
}
