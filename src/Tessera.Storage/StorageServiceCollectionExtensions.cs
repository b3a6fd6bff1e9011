using Tessera.Core;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Gateway;
using Tessera.Core.Storage;
using Tessera.Core.Webhooks;
using Tessera.Storage.Sql;

namespace Tessera.Storage;

/// <summary>Registers the storage port for the configured database.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <param name="services">The service collection.</param>
    /// <param name="provider">Tessera:Database:Provider: "sqlite" (default) or "postgres".</param>
    /// <param name="connectionString">Tessera:Database:ConnectionString, or null for ./data/tessera.db.</param>
    /// <param name="contentRoot">Where a relative SQLite path is resolved.</param>
    /// <param name="timeout">Tessera:Database:Timeout for PostgreSQL: connect and command timeout.</param>
    public static IServiceCollection AddTesseraStorage(this IServiceCollection services, string? provider, string? connectionString, string contentRoot,
        TimeSpan? timeout = null)
    {
        switch ((provider ?? "sqlite").ToLowerInvariant())
        {
            case "sqlite":
                // Owned (and disposed) by the container, which closes the writer connection.
                var sqlite = new SqliteDatabase(
                    string.IsNullOrWhiteSpace(connectionString) ? SqliteDatabase.DefaultConnectionString : connectionString, contentRoot);
                services.AddSingleton<SqlDatabase>(_ => sqlite);
                break;
            case "postgres" or "postgresql":
                if (string.IsNullOrWhiteSpace(connectionString))
                {
                    throw new TesseraConfigurationException(
                        "Tessera:Database:ConnectionString is required for the postgres provider, e.g. Host=db;Database=tessera;Username=tessera;Password=….");
                }
                // Built now so a bad connection string stops the server at start; owned (and disposed) by the container.
                var postgres = new PostgresDatabase(connectionString, timeout ?? PostgresDatabase.DefaultTimeout);
                services.AddSingleton<SqlDatabase>(_ => postgres);
                break;
            case var other:
                throw new TesseraConfigurationException(
                    $"Tessera:Database:Provider '{other}' is not supported; use 'sqlite' or 'postgres'.");
        }
        services.AddSingleton<Migrator>();
        services.AddSingleton<IAccountStore, SqlAccountStore>();
        services.AddSingleton<IWorkloadStore, SqlWorkloadStore>();
        services.AddSingleton<ITokenStore, SqlTokenStore>();
        services.AddSingleton<PassedExpiries>();
        services.AddSingleton<ITokenCountStore, SqlTokenCountStore>();
        services.AddSingleton<ITokenChangeFeed, SqlTokenChangeFeed>();
        services.AddSingleton<IGatewayFeedStore, SqlGatewayFeed>();
        services.AddSingleton<IAuditStore, SqlAuditStore>();
        services.AddSingleton<IUsageStore, SqlUsageStore>();
        services.AddSingleton<ITokenImportStore, SqlTokenImportStore>();
        services.AddSingleton<IConsoleSessionStore, SqlConsoleSessionStore>();
        services.AddSingleton<IMemberStore, SqlMemberStore>();
        services.AddSingleton<IWebhookStore, SqlWebhookStore>();
        return services;
    }
}
