using Dapper;
using Microsoft.Data.Sqlite;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>Uses are counted in memory and written in batches: within a second, and on graceful shutdown.</summary>
public sealed class UsageFlushTests
{
    [Fact]
    public async Task Uses_reach_the_database_by_themselves_within_the_flush_interval()
    {
        await using var app = new TesseraApp();
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
        }

        var (stored, _) = await Poll.UntilAsync(() => account.GetTokenAsync(token.Id), t => t.UseCount >= 3);
        Assert.Equal(3, stored.UseCount);
        Assert.Equal(app.Time.GetUtcNow(), stored.LastUsedAt);
    }

    [Fact]
    public async Task A_graceful_shutdown_writes_the_uses_not_yet_flushed()
    {
        var directory = Directory.CreateTempSubdirectory("tessera-flush-").FullName;
        try
        {
            var database = Path.Combine(directory, "tessera.db");
            string tokenId;
            await using (var app = new TesseraApp { DatabasePath = database, Settings = { ["Tessera:Verification:UsageFlushInterval"] = "01:00:00" } })
            {
                var account = await app.NewAccountAsync();
                var workload = await account.CreateWorkloadAsync("llama-3");
                var token = await account.CreateTokenAsync("alice", workload.Id);
                tokenId = token.Id;
                for (var i = 0; i < 4; i++)
                {
                    Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
                }
                Assert.Equal(0, (await account.GetTokenAsync(token.Id)).UseCount); // nothing flushed yet: the interval is an hour
            }

            await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
            Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT use_count FROM query_tokens WHERE id = @tokenId", new { tokenId }));
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }
}
