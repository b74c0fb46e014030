using Kahuna.Protocol;

namespace Kahuna.Node.Cli;

/// <summary>
/// The exit codes of every <c>kahuna</c> command; scripts rely on them, so they never change meaning.
/// EXIT_CODES.md beside this file documents them for users.
/// </summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked.</summary>
    public const int Success = 0;

    /// <summary>A normal negative answer: not found, busy, precondition failed, not owner (the status tells which).</summary>
    public const int NegativeOutcome = 1;

    /// <summary>The command line is wrong: unknown command or flag, missing or malformed value.</summary>
    public const int UsageError = 2;

    /// <summary>The command could not be carried out: cluster unreachable, timeout, server error, invalid input.</summary>
    public const int Error = 3;

    /// <summary>The exit code for a status the cluster answered.</summary>
    public static int ForStatus(KahunaStatus status) => status switch
    {
        KahunaStatus.Ok => Success,
        KahunaStatus.NotFound or KahunaStatus.Busy or KahunaStatus.PreconditionFailed or KahunaStatus.NotOwner => NegativeOutcome,
        _ => Error,
    };
}
