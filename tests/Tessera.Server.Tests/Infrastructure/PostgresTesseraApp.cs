using Microsoft.AspNetCore.Hosting;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// <see cref="TesseraApp"/> on a PostgreSQL database of its own, cloned from the migrated template for
/// the test class and dropped afterwards. Without a PostgreSQL server the class's tests are skipped
/// (failed under CI=true) by <see cref="Require"/>.
/// </summary>
public sealed class PostgresTesseraApp : TesseraApp, IAsyncLifetime
{
    private string? _connectionString;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The database is not created yet.");

    public async ValueTask InitializeAsync()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(TestPostgres.Variable)))
        {
            _connectionString = await TestPostgres.CreateMigratedAsync();
        }
    }

    /// <summary>This app, for a test class's constructor; skips (or, under CI=true, fails) the test without PostgreSQL.</summary>
    public PostgresTesseraApp Require()
    {
        TestPostgres.Require();
        return this;
    }

    protected override void ConfigureDatabase(IWebHostBuilder builder)
    {
        builder.UseSetting("Tessera:Database:Provider", "postgres");
        builder.UseSetting("Tessera:Database:ConnectionString", ConnectionString);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_connectionString is not null)
        {
            await TestPostgres.DropAsync(_connectionString);
        }
    }
}
