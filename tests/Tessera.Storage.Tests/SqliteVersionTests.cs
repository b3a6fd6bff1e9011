using Dapper;

namespace Tessera.Storage.Tests;

/// <summary>
/// The SQLite that ships is the native library of the bundle pinned in Directory.Packages.props, not the
/// system's: asked through the product's own connection, so a downgrade of the bundle (or a driver that
/// drags an older one back in) fails here rather than shipping.
/// </summary>
public sealed class SqliteVersionTests
{
    /// <summary>The first release with the fix for CVE-2025-6965 (memory corruption through aggregate queries).</summary>
    private static readonly Version Fixed = new(3, 50, 2);

    [Fact]
    public async Task The_sqlite_the_product_opens_includes_the_fix_for_CVE_2025_6965()
    {
        await using var db = TempDatabase.CreateEmpty();
        await using var connection = await db.Database.OpenAsync(TestContext.Current.CancellationToken);

        var reported = await connection.ExecuteScalarAsync<string>("select sqlite_version()");

        Assert.True(Version.TryParse(reported, out var version), $"sqlite_version() said '{reported}'");
        Assert.True(version >= Fixed, $"SQLite {version} predates {Fixed}, the first release with the fix for CVE-2025-6965");
    }
}
