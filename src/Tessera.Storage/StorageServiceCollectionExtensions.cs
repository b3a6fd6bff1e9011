using Tessera.Core;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Storage;

/// <summary>Registers the storage port for the configured database.</summary>
public static class StorageServiceCollectionExtensions
{
    /// <param name="services">The service collection.</param>
    /// <param name="provider">Tessera:Database:Provider: "sqlite" (default).</param>
    /// <param name="connectionString">Tessera:Database:ConnectionString, or null for ./data/tessera.db.</param>
    /// <param name="contentRoot">Where a relative SQLite path is resolved.</param>
    public static IServiceCollection AddTesseraStorage(this IServiceCollection services, string? provider, string? connectionString, string contentRoot)
    {
        SqlDatabase database = (provider ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => new SqliteDatabase(string.IsNullOrWhiteSpace(connectionString) ? SqliteDatabase.DefaultConnectionString : connectionString, contentRoot),
            var other => throw new TesseraConfigurationException(
                $"Tessera:Database:Provider '{other}' is not supported by this build; use 'sqlite'."),
        };
        services.AddSingleton(database);
        services.AddSingleton<Migrator>();
        services.AddSingleton<IAccountStore, SqlAccountStore>();
        services.AddSingleton<IWorkloadStore, SqlWorkloadStore>();
        services.AddSingleton<ITokenStore, SqlTokenStore>();
        services.AddSingleton<ITokenChangeFeed, SqlTokenChangeFeed>();
        services.AddSingleton<IAuditStore, SqlAuditStore>();
        return services;
    }
}
