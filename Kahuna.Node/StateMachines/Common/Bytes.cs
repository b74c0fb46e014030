namespace Kahuna.Node.StateMachines.Common;

/// <summary>Byte-array helpers the stores share.</summary>
internal static class Bytes
{
    public static bool AreEqual(byte[]? left, byte[]? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        return left.AsSpan().SequenceEqual(right);
    }
}
