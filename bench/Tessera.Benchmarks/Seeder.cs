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
/// Builds a database for the HTTP benchmarks: one account, 100 workloads and N tokens (80 % usable, the rest
/// cancelled, unassigned or expired), written in large transactions. Writes the license key, the workload ids,
/// the usable and the refused tokens' secrets and 1,000 well-formed secrets that no token has into the output directory.
/// Each secret's line also names the workload whose gateway it is presented at (<c>GET /v1/auth?workload=…</c> must
/// name one, API.md §4): its own for a token bound to one, one of the 100 for an unassigned token or an unknown secret.
/// </summary>
internal static class Seeder
{
    private const int Batch = 5_000;

    public static async Task<int> RunAsync(string provider, string connectionString, int tokens, string output)
    {
        Directory.CreateDirectory(output);
        var services = new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddTesseraStorage(provider, connectionString, Directory.GetCurrentDirectory())
            .AddSingleton<AccountService>()
            .BuildServiceProvider();
        await services.GetRequiredService<Migrator>().MigrateAsync(CancellationToken.None);
        var (account, licenseKey) = await services.GetRequiredService<AccountService>().CreateAccountAsync("bench", CancellationToken.None);
        await File.WriteAllTextAsync(Path.Combine(output, "license-key"), licenseKey);

        var database = services.GetRequiredService<SqlDatabase>();
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
        for (var start = 0; start < tokens; start += Batch)
        {
            var rows = new List<object>(Batch);
            for (var i = start; i < Math.Min(tokens, start + Batch); i++)
            {
                var secret = SecretFormat.Generate(SecretKind.QueryToken);
                var created = now.AddSeconds(-(tokens - i) * (30.0 * 86_400 / tokens));
                var kind = i % 20; // 0,1: cancelled; 2: unassigned; 3: expired; others usable
                var expires = kind == 3 ? now.AddMinutes(-1) : created.AddDays(30).AddHours(1);
                var token = QueryToken.Issue(account.Id, $"user-{i:0000000}", "", kind == 2 ? null : workloads[i % workloads.Length], secret, created, TimeSpan.FromDays(30));
                rows.Add(new
                {
                    token.Id,
                    AccountId = account.Id,
                    token.WorkloadId,
                    token.Name,
                    NameFolded = token.Name,
                    Status = kind < 2 ? "cancelled" : "active",
                    TokenHash = token.Hash.ToArray(),
                    token.Hint,
                    CreatedAt = created.ToUnixTimeMilliseconds(),
                    ExpiresAt = expires.ToUnixTimeMilliseconds(),
                });
                await (kind > 3 ? usable : refused).WriteLineAsync($"{secret} {workloads[i % workloads.Length]}");
            }
            await using var connection = await database.OpenAsync(CancellationToken.None);
            await using var transaction = await database.BeginWriteAsync(connection, CancellationToken.None);
            await connection.ExecuteAsync(
                """
                INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                    created_at, updated_at, expires_at, last_used_at, use_count, version)
                VALUES (@Id, @AccountId, @WorkloadId, @Name, @NameFolded, '', @Status, @TokenHash, @Hint,
                    @CreatedAt, @CreatedAt, @ExpiresAt, NULL, 0, 1)
                """, rows, transaction);
            await transaction.CommitAsync(CancellationToken.None);
        }
        // What an operator's bulk load should be followed by: the planner's figures for a table that grew a millionfold.
        await database.RefreshStatisticsAsync(CancellationToken.None);
        await File.WriteAllLinesAsync(Path.Combine(output, "unknown"),
            Enumerable.Range(0, 1000).Select(i => $"{SecretFormat.Generate(SecretKind.QueryToken)} {workloads[i % workloads.Length]}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"seeded {tokens:N0} tokens into {provider} for account {account.Id}"));
        return 0;
    }
}
