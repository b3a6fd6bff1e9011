using Tessera.Core.Accounts;
using Tessera.Server.Hosting;
using Tessera.Storage.Sql;

namespace Tessera.Server.Background;

/// <summary>
/// At start, before the server listens: applies missing migrations, and on an empty database creates
/// the first account, showing its new license key once on standard output (never through logging).
/// </summary>
public sealed class DatabaseInitializer(Migrator migrator, AccountService accounts, TesseraSettings settings, SqlDatabase database,
    ILogger<DatabaseInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        // Servers sharing a database that start at once take turns: one migrates and creates the first account.
        await using var startup = await database.HoldStartupLockAsync(cancellationToken);
        var applied = await migrator.MigrateAsync(cancellationToken);
        if (applied.Count > 0)
        {
            logger.LogInformation("Applied schema migrations {Versions}.", string.Join(", ", applied));
        }
        var newKey = await accounts.BootstrapAsync(settings.Bootstrap.LicenseKey, cancellationToken);
        if (newKey is not null)
        {
            logger.LogInformation("Created the first account; its license key is printed once on standard output.");
            await Console.Out.WriteLineAsync(FirstRunBanner(newKey));
        }
        else if (!string.IsNullOrEmpty(settings.Bootstrap.LicenseKey))
        {
            logger.LogInformation("Bootstrap license key configured; the first account exists.");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string FirstRunBanner(string licenseKey) => $"""

        ============================================================================
         Tessera created its first account. Its license key, shown only this once:

           {licenseKey}

         Only a hash is stored: keep the key somewhere safe. Use it as
           Authorization: Bearer <license key>
        ============================================================================

        """;
}
