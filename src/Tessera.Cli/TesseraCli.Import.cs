using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using CsvHelper;
using Spectre.Console;
using Tessera.Client;

namespace Tessera.Cli;

public static partial class TesseraCli
{
    private sealed partial class Cli
    {
        /// <summary>
        /// <c>tessera tokens import FILE</c>: creates a token per row and writes <c>row,id,name,workloadId,token</c> to standard
        /// output as batches commit; a progress bar on standard error only when it is a terminal. The Idempotency-Key is the
        /// file's SHA-256 unless given, so running the same command again after a cut connection never creates the tokens twice.
        /// </summary>
        public Command Import()
        {
            var file = new Argument<FileInfo>("file") { Description = "A CSV file: header name (required), workloadId, note, expiresAt; at most 100,000 rows." };
            var key = new Option<string?>("--idempotency-key") { Description = "Unique per import (default: sha256 of the file, so a rerun of the same file is refused, not doubled)." };
            var command = new Command("import", "Create a token for every row of a CSV file; writes each row's id and secret (shown only this once) as CSV to standard output.")
            {
                file, key,
            };
            command.SetAction((parse, ct) => RunAsync(parse, ct, async (client, output, _) =>
            {
                var path = parse.GetValue(file)!;
                if (!path.Exists)
                {
                    throw new CliUsageException($"{path.FullName} does not exist.");
                }
                var bytes = await File.ReadAllBytesAsync(path.FullName, ct);
                var idempotencyKey = parse.GetValue(key) ?? "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
                var total = CountRows(bytes);
                await using var csv = new CsvWriter(env.Out, CultureInfo.InvariantCulture, leaveOpen: true);
                async Task WriteAsync(IAsyncEnumerable<ImportedToken> rows, Action<int>? advanced)
                {
                    var done = 0;
                    await foreach (var row in rows)
                    {
                        // The header only once the server answered with rows: a refusal leaves standard output empty.
                        if (done++ == 0)
                        {
                            foreach (var h in (string[])["row", "id", "name", "workloadId", "token"])
                            {
                                csv.WriteField(h);
                            }
                            await csv.NextRecordAsync();
                        }
                        csv.WriteField(row.Row);
                        csv.WriteField(row.Id);
                        csv.WriteField(row.Name);
                        csv.WriteField(row.WorkloadId ?? "");
                        csv.WriteField(row.Token);
                        await csv.NextRecordAsync();
                        advanced?.Invoke(done);
                    }
                    await csv.FlushAsync();
                }
                var imported = client.ImportTokensAsync(new MemoryStream(bytes), idempotencyKey, ct);
                if (!env.ErrorIsTerminal)
                {
                    await WriteAsync(imported, null);
                    return ExitCodes.Ok;
                }
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(env.Error) });
                await console.Progress().StartAsync(async progress =>
                {
                    var task = progress.AddTask($"Importing {total:N0} tokens", maxValue: Math.Max(total, 1));
                    await WriteAsync(imported, done => task.Value = done);
                });
                return ExitCodes.Ok;
            }));
            return command;
        }

        /// <summary>The file's data rows as a CSV parser counts them (quoted line breaks are not new rows): the bar's end.</summary>
        private static int CountRows(byte[] bytes)
        {
            using var parser = new CsvParser(new StreamReader(new MemoryStream(bytes)), CultureInfo.InvariantCulture);
            var rows = 0;
            while (parser.Read())
            {
                rows++;
            }
            return Math.Max(rows - 1, 0);
        }
    }
}
