using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Kahuna.Node.Cli;

/// <summary>
/// Appends the exit codes (and, on the root page, the environment variables) to every <c>--help</c> page,
/// so that command descriptions can stay one short line each.
/// </summary>
internal sealed class HelpFooter(HelpAction standardHelp) : SynchronousCommandLineAction
{
    public const string ExitCodesSection =
        "Exit codes:\n" +
        "  0  success\n" +
        "  1  a normal negative answer: not found, busy, precondition failed or not owner (the status tells which)\n" +
        "  2  usage error: unknown command or flag, missing or malformed value\n" +
        "  3  error: cluster unreachable, timeout, server error, invalid input, node failed to start or stop";

    public const string EnvironmentSection =
        "Environment:\n" +
        "  KAHUNA_ENDPOINTS  default --endpoints of the client commands (kv, lock, seq)\n" +
        "  KAHUNA_*          defaults of the 'start' flags (see 'kahuna start --help'); a flag wins over its variable";

    public override bool ClearsParseErrors => true;

    /// <summary>Puts the footer on the help option of <paramref name="root"/> (its help option covers every subcommand).</summary>
    public static void Install(RootCommand root)
    {
        foreach (var option in root.Options)
        {
            if (option is HelpOption { Action: HelpAction standard } help)
                help.Action = new HelpFooter(standard);
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        standardHelp.Invoke(parseResult);
        var output = parseResult.InvocationConfiguration.Output;
        output.WriteLine(ExitCodesSection);
        output.WriteLine();
        if (parseResult.CommandResult.Command is RootCommand)
        {
            output.WriteLine(EnvironmentSection);
            output.WriteLine();
        }
        return ExitCodes.Success;
    }
}
