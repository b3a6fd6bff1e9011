using System.Diagnostics.Metrics;
using Tessera.Core.Verification;
using Tessera.Storage.Sql;

namespace Tessera.Server.Hosting;

/// <summary>
/// Commits and the writes they carried, at /metrics: on SQLite their ratio is how many writes share one fsync
/// (group commit, ADR 0009); on PostgreSQL they are equal.
/// </summary>
public sealed class DatabaseMetrics
{
    public DatabaseMetrics(IMeterFactory meterFactory, SqlDatabase database)
    {
        var meter = meterFactory.Create(VerificationMetrics.MeterName);
        meter.CreateObservableCounter("tessera.database.commits", () => database.Commits, "{commit}", "Database commits of store writes.");
        meter.CreateObservableCounter("tessera.database.committed_writes", () => database.CommittedWrites, "{write}",
            "Store writes committed; more than the commits when writes shared one.");
    }
}
