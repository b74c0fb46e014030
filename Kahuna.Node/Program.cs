using System.CommandLine;
using Kahuna.Node.Bench;
using Kahuna.Node.Cli;

// The kahuna executable: every command is defined under Cli/ (see KahunaCli).
using var termination = ProcessTermination.Listen();
var context = CliContext.FromProcess();

// The single registration point for commands that live outside Cli/ (bench, cluster, txn):
// add them here, e.g. BenchCommand.Create(context).
Command[] extraCommands = [BenchCommand.Create(context)];

return await KahunaCli.RunAsync(args, context, termination.Token, extraCommands);
