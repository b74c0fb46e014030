namespace Kahuna.Node.Cli;

/// <summary>A setting from the command line or the environment is wrong; reported with exit code 2.</summary>
public sealed class CliUsageException(string message) : Exception(message);
