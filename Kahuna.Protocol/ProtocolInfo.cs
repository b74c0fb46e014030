namespace Kahuna.Protocol; public static class ProtocolInfo { public const int Version = 1; }
