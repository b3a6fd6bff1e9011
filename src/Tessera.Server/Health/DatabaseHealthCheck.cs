using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Tessera.Storage.Sql;

namespace Tessera.Server.Health;

/// <summary>/readyz: the database answers a trivial query.</summary>
public sealed class DatabaseHealthCheck(SqlDatabase database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT 1", cancellationToken: cancellationToken));
            return HealthCheckResult.Healthy($"{database.Provider} reachable");
        }
        catch (Exception e) when (e is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy($"{database.Provider} unreachable");
        }
    }
}
