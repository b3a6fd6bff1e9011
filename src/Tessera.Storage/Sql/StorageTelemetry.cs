using System.Data.Common;
using System.Diagnostics;

namespace Tessera.Storage.Sql;

/// <summary>
/// Spans for the store (ActivitySource "Tessera.Storage"): one per write, from the moment it is asked for until it
/// is durable (on SQLite that includes waiting for the shared COMMIT, ADR 0009), and one per read connection on
/// SQLite, whose driver traces nothing itself. PostgreSQL statements are traced by Npgsql (source "Npgsql").
/// While nobody listens (no OTLP endpoint), StartActivity returns null and nothing is allocated.
/// </summary>
public static class StorageTelemetry
{
    public const string SourceName = "Tessera.Storage";

    private static readonly ActivitySource Source = new(SourceName);

    internal static Activity? StartWrite(string provider) => Start("db write", provider);

    /// <summary>A span that lasts as long as <paramref name="connection"/>: a store call's reads, opened and disposed by it.</summary>
    internal static void TraceUntilDisposed(DbConnection connection, string provider)
    {
        if (Start("db read", provider) is { } activity)
        {
            connection.Disposed += (_, _) => activity.Dispose();
        }
    }

    private static Activity? Start(string name, string provider) =>
        Source.HasListeners() ? Source.StartActivity(name, ActivityKind.Client)?.SetTag("db.system.name", provider) : null;
}
