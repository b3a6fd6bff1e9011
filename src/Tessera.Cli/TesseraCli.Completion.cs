using System.CommandLine;

namespace Tessera.Cli;

/// <summary>
/// <c>tessera completion bash|zsh|fish</c>: a script for the shell's completion that asks tessera itself, through System.CommandLine's
/// <c>[suggest:POSITION]</c> directive, what may come at the cursor: commands, options and the values an option takes, always those
/// of the installed version, with no list kept in the script to go stale.
/// </summary>
public static partial class TesseraCli
{
    private static Command Completion(CliEnvironment env)
    {
        var shell = new Argument<string>("shell") { Description = "bash, zsh or fish." };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var command = new Command("completion", "Print a shell completion script for tessera." + Examples(
            "source <(tessera completion bash)          # in ~/.bashrc",
            "source <(tessera completion zsh)           # in ~/.zshrc, after compinit",
            "tessera completion fish > ~/.config/fish/completions/tessera.fish"))
        {
            shell,
        };
        command.SetAction(async (parse, ct) =>
        {
            await env.Out.WriteAsync(CompletionScript(parse.GetValue(shell)!));
            return ExitCodes.Ok;
        });
        return command;
    }

    public static string CompletionScript(string shell) => shell switch
    {
        "bash" => """
                  # tessera completion for bash: source <(tessera completion bash)
                  _tessera_complete() {
                      local IFS=$'\n'
                      COMPREPLY=($(compgen -W "$(tessera "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null)" -- "${COMP_WORDS[COMP_CWORD]}"))
                  }
                  complete -o default -F _tessera_complete tessera

                  """,
        "zsh" => """
                 # tessera completion for zsh: source <(tessera completion zsh)
                 _tessera_complete() {
                     local line="${(j: :)words[1,CURRENT]}"
                     local -a suggestions
                     suggestions=("${(@f)$(tessera "[suggest:${#line}]" "${(j: :)words}" 2>/dev/null)}")
                     compadd -a suggestions
                 }
                 compdef _tessera_complete tessera

                 """,
        "fish" => """
                  # tessera completion for fish: tessera completion fish > ~/.config/fish/completions/tessera.fish
                  complete -c tessera -f -a '(set -l line (commandline -cp); tessera "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null)'

                  """,
        _ => throw new ArgumentOutOfRangeException(nameof(shell), shell, "bash, zsh or fish"),
    };
}
