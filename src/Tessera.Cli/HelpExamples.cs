using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace Tessera.Cli;

/// <summary>
/// Examples at the end of a command's own help, not in its parent's list of commands. Commands are declared with their
/// examples written after their description (<see cref="Marker"/>); <see cref="Install"/> moves them out and has
/// <c>--help</c> print them after System.CommandLine's help.
/// </summary>
public static class HelpExamples
{
    public const string Marker = "\n\nExamples:\n";

    /// <summary>The marker and the example lines, to append to a command's description.</summary>
    public static string Lines(params string[] lines) => Marker + string.Join('\n', lines.Select(l => "  " + l));

    /// <summary>True when <c>--help</c> was asked for: help is printed even if the rest of the line is incomplete.</summary>
    public static bool IsHelp(ParseResult parse) => parse.Action is WithExamples or HelpAction;

    public static void Install(RootCommand root)
    {
        var examples = new Dictionary<Command, string>();
        Collect(root, examples);
        foreach (var help in root.Options.OfType<HelpOption>())
        {
            help.Action = new WithExamples((HelpAction)help.Action!, examples);
        }
    }

    private static void Collect(Command command, Dictionary<Command, string> examples)
    {
        if (command.Description is { } description && description.IndexOf(Marker, StringComparison.Ordinal) is >= 0 and var at)
        {
            examples[command] = description[(at + 2)..];
            command.Description = description[..at];
        }
        foreach (var sub in command.Subcommands)
        {
            Collect(sub, examples);
        }
    }

    private sealed class WithExamples(HelpAction help, Dictionary<Command, string> examples) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            var exit = help.Invoke(parseResult);
            if (examples.TryGetValue(parseResult.CommandResult.Command, out var lines))
            {
                parseResult.InvocationConfiguration.Output.WriteLine(lines);
                parseResult.InvocationConfiguration.Output.WriteLine();
            }
            return exit;
        }
    }
}
