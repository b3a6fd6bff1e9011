using System.CommandLine;
using Tessera.Core.Accounts;
using Tessera.Server.Hosting;
using Tessera.Storage.Sql;

namespace Tessera.Server.Commands;

/// <summary>
/// The server's own administration, against the configured database:
/// <c>accounts create --name NAME</c> (the license key is the last line of stdout) and <c>migrate</c>.
/// Configuration comes from appsettings and environment variables (e.g. Tessera__Database__ConnectionString).
/// </summary>
public static class AdminCommands
{
    public static bool Matches(string[] args) => args.Length > 0 && args[0] is "accounts" or "migrate";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddTesseraCore(TesseraSettings.From(builder.Configuration), builder.Environment.ContentRootPath);
        using var host = builder.Build();

        var migrate = new Command("migrate", "Apply the schema migrations the database lacks, then exit.");
        migrate.SetAction(async (_, cancellationToken) =>
        {
            var applied = await host.Services.GetRequiredService<Migrator>().MigrateAsync(cancellationToken);
            Console.WriteLine(applied.Count == 0 ? "The schema is up to date." : $"Applied migrations: {string.Join(", ", applied)}.");
            return 0;
        });

        var name = new Option<string>("--name") { Description = "The account's display name (1–100 characters).", Required = true };
        var create = new Command("create", "Create an account and print its license key (once, as the last line).") { name };
        create.SetAction(async (parse, cancellationToken) =>
        {
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

        var accounts = new Command("accounts", "Manage accounts.") { create };
        var root = new RootCommand("Tessera server administration. Without a command, the server runs.") { accounts, migrate };
        return await root.Parse(args).InvokeAsync();
    }
}
