using System.CommandLine;
using System.CommandLine.Completions;
using System.CommandLine.Parsing;

namespace Tessera.Cli;

/// <summary>
/// A command line the parser refused, told in one line: the option and the values it takes, or the unknown word and the
/// nearest known one ("did you mean"), and where the help is. Not the whole help, which would bury the one thing wrong.
/// </summary>
public static class CommandLineErrors
{
    /// <summary>The completion directive (<c>[suggest:N]</c>) the shell scripts call on half-typed lines: not an error to report.</summary>
    public static bool IsCompletionRequest(string[] args) => args.Length > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal);

    /// <summary>A command group named without one of its commands (<c>tessera tokens</c>): nothing else is wrong.</summary>
    public static bool IsMissingSubcommand(ParseResult parse) =>
        parse.UnmatchedTokens.Count == 0 && parse.CommandResult.Command is { Subcommands.Count: > 0, Action: null } &&
        parse.Errors.All(e => e.SymbolResult is CommandResult);

    public static string Describe(ParseResult parse)
    {
        var command = parse.CommandResult.Command;
        var help = $"see '{Path(command)} --help'";
        if (parse.UnmatchedTokens.Count > 0)
        {
            var word = parse.UnmatchedTokens[0];
            var known = word.StartsWith('-')
                ? OptionsOf(command).SelectMany(o => o.Aliases.Prepend(o.Name))
                : command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name);
            var what = word.StartsWith('-') ? "option" : command.Subcommands.Count > 0 ? "command" : "argument";
            var nearest = Nearest(word, known.ToList());
            return $"unknown {what} '{word}' for '{Path(command)}'" + (nearest is null ? "" : $"; did you mean '{nearest}'?") + $" ({help}).";
        }
        var error = parse.Errors[0];
        if (error.SymbolResult is OptionResult { Option: var option } optionResult)
        {
            var given = optionResult.Tokens.Select(t => t.Value).FirstOrDefault();
            var allowed = option.GetCompletions(CompletionContext.Empty).Select(c => c.Label).ToList();
            return allowed.Count > 0 && given is not null
                ? $"{option.Name}: '{given}' is not one of {string.Join(", ", allowed)} ({help})."
                : $"{option.Name}: {OneLine(error.Message)} ({help}).";
        }
        if (error.SymbolResult is ArgumentResult { Argument: var argument })
        {
            return $"<{argument.Name}>: {OneLine(error.Message)} ({help}).";
        }
        return $"{OneLine(error.Message)} ({help}).";
    }

    /// <summary>The known word nearest to <paramref name="word"/> in edit distance, if near enough to be a typo (a third of its length, at least 1).</summary>
    public static string? Nearest(string word, IReadOnlyList<string> known)
    {
        var best = known.Select(k => (Known: k, Distance: Distance(word, k))).OrderBy(c => c.Distance).ThenBy(c => c.Known, StringComparer.Ordinal).FirstOrDefault();
        return best.Known is not null && best.Distance <= Math.Max(1, word.TrimStart('-').Length / 3) ? best.Known : null;
    }

    private static IEnumerable<Option> OptionsOf(Command command) =>
        command.Options.Concat(command.Parents.OfType<Command>().SelectMany(p => OptionsOf(p).Where(o => o.Recursive))).Where(o => !o.Hidden);

    /// <summary>How one types <paramref name="command"/>: "tessera tokens delete".</summary>
    public static string Path(Command command) =>
        string.Join(' ', Ancestors(command).Reverse().Select(c => c is RootCommand ? "tessera" : c.Name));

    private static IEnumerable<Command> Ancestors(Command command)
    {
        for (Command? c = command; c is not null; c = c.Parents.OfType<Command>().FirstOrDefault())
        {
            yield return c;
        }
    }

    private static string OneLine(string message) => string.Join(' ', message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Edit distance counting a swap of two neighbouring letters as one edit (optimal string alignment), case-insensitive.</summary>
    private static int Distance(string a, string b)
    {
        a = a.ToLowerInvariant();
        b = b.ToLowerInvariant();
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var beforePrevious = previous;
        for (var i = 1; i <= a.Length; i++)
        {
            var current = new int[b.Length + 1];
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    current[j] = Math.Min(current[j], beforePrevious[j - 2] + 1); // two letters swapped: one slip, not two
                }
            }
            (beforePrevious, previous) = (previous, current);
        }
        return previous[b.Length];
    }
}
