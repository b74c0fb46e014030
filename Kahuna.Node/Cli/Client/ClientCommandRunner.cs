using System.CommandLine;
using Kahuna.Node.Cli.Common;
using Kahuna.Protocol;
using Kahuna.Protocol.Client;
using Kahuna.Protocol.Messages;

namespace Kahuna.Node.Cli.Client;

/// <summary>What a client command's body gets: its parse result, a connected client and where to report.</summary>
internal sealed record ClientInvocation(ParseResult ParseResult, KahunaClient Client, CommandOutput Output, Durability Durability, CancellationToken CancellationToken)
{
    public T? Get<T>(Option<T> option) => ParseResult.GetValue(option);

    public T Get<T>(Argument<T> argument) => ParseResult.GetValue(argument)!;
}

/// <summary>
/// Runs the body of a client command and turns every way it can end into an exit code and a report:
/// outcomes come from the body; faults (<see cref="KahunaException"/>), bad settings and interruption here.
/// </summary>
internal static class ClientCommandRunner
{
    public static void SetClientAction(this Command command, ClientOptionSet options, CliContext context,
        Func<ClientInvocation, Task<int>> body)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var output = new CommandOutput(context, parseResult.GetValue(options.Json));
            try
            {
                var clientOptions = options.ClientOptionsOf(parseResult, context);
                await using var client = new KahunaClient(clientOptions);
                var invocation = new ClientInvocation(parseResult, client, output, options.DurabilityOf(parseResult), cancellationToken);
                return await body(invocation);
            }
            catch (CliUsageException ex)
            {
                return output.Fault("UsageError", ex.Message, ExitCodes.UsageError);
            }
            catch (CliInputException ex)
            {
                return output.Fault(KahunaStatus.InvalidInput.ToString(), ex.Message, ExitCodes.Error);
            }
            catch (KahunaException ex)
            {
                return output.Fault(ex.Status.ToString(), Describe(ex), ExitCodes.Error);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return output.Fault("Cancelled", "interrupted", ExitCodes.Error);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Not expected from the client library; still one report (and one JSON object), not a stack trace.
                return output.Fault(KahunaStatus.InternalError.ToString(), $"unexpected failure: {ex.GetBaseException().Message}", ExitCodes.Error);
            }
        });
    }

    private static string Describe(KahunaException ex) => ex.Status switch
    {
        KahunaStatus.Unavailable => $"cannot reach the cluster ({ex.Status}): {ex.Reason}",
        KahunaStatus.Timeout => $"the cluster did not answer in time ({ex.Status}): {ex.Reason}",
        _ => $"{ex.Status}: {ex.Reason}",
    };
}

/// <summary>Input the command could not use (an unreadable value file); reported as InvalidInput, exit code 3.</summary>
internal sealed class CliInputException(string message) : Exception(message);
