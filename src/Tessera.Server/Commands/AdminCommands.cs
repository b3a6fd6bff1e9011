using System.CommandLine;
using Tessera.Core.Accounts;
using Tessera.Server.Hosting;
using Tessera.Storage.Sql;

namespace Tessera.Server.Commands;

/// <summary>
/// The server's own administration, against the configured database: <c>accounts create --name NAME</c>
/// (the license key is the last line of stdout), <c>migrate</c>, <c>backup --to FILE</c> and
/// <c>restore --from FILE</c>. Configuration comes from appsettings, environment variables
/// (e.g. Tessera__Database__ConnectionString) and configuration arguments (<c>--Tessera:…=…</c>).
/// </summary>
public static class AdminCommands
{
    public static RootCommand Build(string[] configuration)
    {
        var migrate = new Command("migrate", "Apply the schema migrations the database lacks, then exit.");
        migrate.SetAction(async (_, cancellationToken) =>
        {
            using var host = BuildHost(configuration);
            var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            Console.WriteLine(applied.Count == 0 ? "The schema is up to date." : $"Applied migrations: {string.Join(", ", applied)}.");
            return 0;
        });

        var name = new Option<string>("--name") { Description = "The account's display name (1–100 characters).", Required = true };
        var create = new Command("create", "Create an account and print its license key (once, as the last line).") { name };
        create.SetAction(async (parse, cancellationToken) =>
        {
            using var host = BuildHost(configuration);
            await host.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            try
            {
                var (account, key) = await host.Services.GetRequiredService<AccountService>()
                    .CreateAccountAsync(parse.GetValue(name), cancellationToken);
                Console.WriteLine($"Created account {account.Id} ({account.Name}).");
                Console.WriteLine("Its license key follows, shown only this once; only a hash is stored.");
                Console.WriteLine(key);
                return 0;
            }
            catch (Core.TesseraException e)
            {
                await Console.Error.WriteLineAsync($"error: {e.Message} {string.Join("; ", e.Errors?.Select(kv => $"{kv.Key}: {string.Join(" ", kv.Value)}") ?? [])}");
                return 1;
            }
        });

        var to = new Option<FileInfo>("--to") { Description = "The backup file to write; it must not exist yet.", Required = true };
        var backup = new Command("backup", "Copy the SQLite database to a file, consistently, while servers keep running and writing.") { to };
        backup.SetAction((parse, cancellationToken) =>
            SqliteBackup.BackupAsync(BuildHost(configuration), parse.GetValue(to)!, cancellationToken));

        var from = new Option<FileInfo>("--from") { Description = "A file written by 'backup'.", Required = true };
        var replace = new Option<bool>("--replace") { Description = "Overwrite a database that already holds data (stop every server first)." };
        var restore = new Command("restore", "Restore the SQLite database from a backup file (with no server running on it).") { from, replace };
        restore.SetAction((parse, cancellationToken) =>
            SqliteBackup.RestoreAsync(BuildHost(configuration), parse.GetValue(from)!, parse.GetValue(replace), cancellationToken));

        var accounts = new Command("accounts", "Manage accounts.") { create };
        return new RootCommand("Tessera. Without a command, the server runs; configuration arguments (--urls, --Tessera:Key=value) apply to every command.")
        {
            accounts, migrate, backup, restore,
        };
    }

    private static IHost BuildHost(string[] configuration)
    {
        var builder = Host.CreateApplicationBuilder(configuration);
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddTesseraCore(TesseraSettings.From(builder.Configuration), builder.Environment.ContentRootPath);
        return builder.Build();
    }
}
