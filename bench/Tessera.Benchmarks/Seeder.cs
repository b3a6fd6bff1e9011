using System.Globalization;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Secrets;
using Tessera.Core.Tokens;
using Tessera.Storage;
using Tessera.Storage.Sql;

namespace Tessera.Benchmarks;

/// <summary>
/// Builds a database for the HTTP benchmarks: one account (or several alike), 100 workloads and N tokens each (80 % usable, the rest
/// cancelled, unassigned or expired), written in large transactions. Writes the license key, the workload ids,
/// the usable and the refused tokens' secrets and 1,000 well-formed secrets that no token has into the output directory.
/// Each secret's line also names the workload whose gateway it is presented at (<c>GET /v1/auth?workload=…</c> must
/// name one, API.md §4): its own for a token bound to one, one of the 100 for an unassigned token or an unknown secret.
/// </summary>
internal static class Seeder
{
    private const int Batch = 25_000;

    public static async Task<int> RunAsync(string provider, string connectionString, int tokens, string output, int accounts = 1)
    {
        Directory.CreateDirectory(output);
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage(provider, connectionString, Directory.GetCurrentDirectory())
            .AddSingleton<AccountService>()
            .BuildServiceProvider();
        await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        var database = services.GetRequiredService<SqlDatabase>();
        if (database is not SqliteDatabase)
        {
            // A bulk load's way with the trigram index: GIN's pending list takes the names in bulk, merged at the end.
            // Inserted one by one (migration 0015 turns the list off for the planner's sake) they were most of the load.
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync("ALTER INDEX ix_query_tokens_account_trigrams SET (fastupdate = on)");
        }
        for (var i = 1; i <= accounts; i++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var id = await SeedAccountAsync(services, database, tokens, output);
            if (accounts > 1)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"account {i} of {accounts} ({id}): {started.Elapsed.TotalSeconds:F0} s"));
            }
        }
        if (database is not SqliteDatabase)
        {
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await connection.ExecuteAsync(new CommandDefinition(
                "ALTER INDEX ix_query_tokens_account_trigrams SET (fastupdate = off); SELECT gin_clean_pending_list('ix_query_tokens_account_trigrams'::regclass);",
                commandTimeout: 0));
        }
        // What an operator's bulk load should be followed by: the planner's figures for a table that grew a millionfold.
        await database.RefreshStatisticsAsync(CancellationToken.None);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {accounts:N0} account(s) of {tokens:N0} tokens into {provider}"));
        return 0;
    }

    /// <summary>One account, its workloads and tokens; the output directory's files are this account's (the last one's, of several).</summary>
    private static async Task<string> SeedAccountAsync(ServiceProvider services, SqlDatabase database, int tokens, string output)
    {
        var (account, licenseKey) = await services.GetRequiredService<AccountService>().CreateAccountAsync("bench", CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(output, "license-key"), licenseKey);

        var now = TimeProvider.System.GetUtcNow();
        var workloads = Enumerable.Range(0, 100).Select(i => Ids.New(Ids.Workload, now.AddMinutes(-i))).ToArray();
        await using (var connection = await database.OpenAsync(CancellationToken.None))
        {
            await connection.ExecuteAsync(
                """
                INSERT INTO workloads (id, account_id, name, name_folded, description, created_at, updated_at, version)
                VALUES (@Id, @AccountId, @Name, @Name, '', @At, @At, 1)
                """,
                workloads.Select((id, i) => new { Id = id, AccountId = account.Id, Name = $"model-{i:000}", At = now.ToUnixTimeMilliseconds() }));
        }
        await File.WriteAllLinesAsync(Path.Combine(output, "workloads"), workloads);

        await using var usable = new StreamWriter(Path.Combine(output, "usable"));
        await using var refused = new StreamWriter(Path.Combine(output, "refused"));
        await using var writer = await database.OpenAsync(CancellationToken.None);
        if (database is SqliteDatabase)
        {
            // A page cache as large as the indexes being filled (a connection's own is a few MB): without it, at ten
            // million tokens, most of the load's time went to the kernel reading index pages back.
            await writer.ExecuteAsync("PRAGMA cache_size = -4000000; PRAGMA synchronous = OFF");
        }
        for (var start = 0; start < tokens; start += Batch)
        {
            var rows = new List<Row>(Batch);
            for (var i = start; i < Math.Min(tokens, start + Batch); i++)
            {
                var secret = SecretFormat.Generate(SecretKind.QueryToken);
                var created = now.AddSeconds(-(tokens - i) * (30.0 * 86_400 / tokens));
                var kind = i % 20; // 0,1: cancelled; 2: unassigned; 3: expired; others usable
                var expires = kind == 3 ? now.AddMinutes(-1) : created.AddDays(30).AddHours(1);
                var token = QueryToken.Issue(account.Id, $"user-{i:0000000}", "", kind == 2 ? null : workloads[i % workloads.Length], secret, created, TimeSpan.FromDays(30));
                rows.Add(new Row(token.Id, account.Id, token.WorkloadId, token.Name, kind < 2 ? "cancelled" : "active", token.Hash.ToArray(),
                    token.Hint, created.ToUnixTimeMilliseconds(), expires.ToUnixTimeMilliseconds()));
                await (kind > 3 ? usable : refused).WriteLineAsync($"{secret} {workloads[i % workloads.Length]}");
            }
            await using var transaction = await database.BeginWriteAsync(writer, CancellationToken.None);
            if (database is SqliteDatabase)
            {
                await writer.ExecuteAsync(
                    """
                    INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                        created_at, updated_at, expires_at, last_used_at, use_count, version)
                    VALUES (@Id, @AccountId, @WorkloadId, @Name, @Name, '', @Status, @TokenHash, @Hint,
                        @CreatedAt, @CreatedAt, @ExpiresAt, NULL, 0, 1)
                    """, rows, transaction);
            }
            else
            {
                // One statement per batch over arrays: a statement per row made the round trips most of the load.
                await writer.ExecuteAsync(
                    """
                    INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                        created_at, updated_at, expires_at, last_used_at, use_count, version)
                    SELECT r.id, @AccountId, r.workload_id, r.name, r.name, '', r.status, r.token_hash, r.hint,
                        r.created_at, r.created_at, r.expires_at, NULL, 0, 1
                    FROM unnest(@Ids, @WorkloadIds, @Names, @Statuses, @Hashes, @Hints, @Created, @Expires)
                        AS r (id, workload_id, name, status, token_hash, hint, created_at, expires_at)
                    """,
                    new
                    {
                        AccountId = account.Id,
                        Ids = rows.Select(r => r.Id).ToArray(),
                        WorkloadIds = rows.Select(r => r.WorkloadId).ToArray(),
                        Names = rows.Select(r => r.Name).ToArray(),
                        Statuses = rows.Select(r => r.Status).ToArray(),
                        Hashes = rows.Select(r => r.TokenHash).ToArray(),
                        Hints = rows.Select(r => r.Hint).ToArray(),
                        Created = rows.Select(r => r.CreatedAt).ToArray(),
                        Expires = rows.Select(r => r.ExpiresAt).ToArray(),
                    }, transaction, commandTimeout: 0);
            }
            await transaction.CommitAsync(CancellationToken.None);
        }
        await File.WriteAllLinesAsync(Path.Combine(output, "unknown"),
            Enumerable.Range(0, 1000).Select(i => $"{SecretFormat.Generate(SecretKind.QueryToken)} {workloads[i % workloads.Length]}"));
        return account.Id;
    }

    private sealed record Row(string Id, string AccountId, string? WorkloadId, string Name, string Status, byte[] TokenHash, string Hint,
        long CreatedAt, long ExpiresAt);
}
