using System.CommandLine;

namespace Tessera.Cli;

/// <summary><c>tessera scan</c>: finds Tessera secrets in files or standard input, and reports leaked query tokens.</summary>
public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        /// <summary>
        /// <c>tessera scan PATH…</c>: offline, prints <c>path:line: hint (kind)</c> per secret found (never the secret),
        /// exit 1 when any was found; with <c>--report</c> also sends each query token found to POST /v1/leaks.
        /// </summary>
        public Command Scan()
        {
            var paths = new Argument<string[]>("path") { Description = "Files, directories (searched recursively) or - for standard input.", Arity = ArgumentArity.OneOrMore };
            var report = new Option<bool>("--report") { Description = "Send every query token found to the server (POST /v1/leaks): it is cancelled unless the server only records leaks." };
            var command = new Command("scan", "Find Tessera secrets (prefix, length and checksum, so no false alarms) in files and standard input, offline; binary files are skipped. " +
                                              "Prints file:line and the hint, never the secret. Exit 0 when none is found, 1 when some are, 2 when a path does not exist.")
            {
                paths, report,
            };
            command.SetAction(async (parse, ct) =>
            {
                var scan = await SecretScanner.ScanAsync(parse.GetValue(paths)!, env.In, ct);
                foreach (var error in scan.Errors)
                {
                    await env.Error.WriteLineAsync($"tessera: {error}");
                }
                foreach (var finding in scan.Findings)
                {
                    await env.Out.WriteLineAsync(finding.ToString());
                }
                if (scan.SkippedBinary.Count > 0)
                {
                    await env.Error.WriteLineAsync($"tessera: skipped {scan.SkippedBinary.Count} binary file(s).");
                }
                var found = scan.Findings.Count > 0 ? ExitCodes.SecretsFound : scan.Errors.Count > 0 ? ExitCodes.NotFound : ExitCodes.Ok;
                var tokens = scan.Findings.Where(f => f.Kind == Core.Secrets.SecretKind.QueryToken).DistinctBy(f => f.Secret).ToList();
                if (!parse.GetValue(report) || tokens.Count == 0)
                {
                    return found;
                }
                var sent = await RunAsync(parse, ct, async (client, output, _) =>
                {
                    foreach (var token in tokens)
                    {
                        var answer = await client.ReportLeakAsync(token.Secret, null, "tessera scan", ct);
                        output.Line($"reported {token.Hint}: {answer.Label}{(answer.Action is { } action ? $" ({action})" : "")}");
                    }
                    return ExitCodes.Ok;
                });
                return sent == ExitCodes.Ok ? found : sent;
            });
            return command;
        }
    }
}
