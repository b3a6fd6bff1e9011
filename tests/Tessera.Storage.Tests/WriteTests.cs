using System.Data.Common;
using Dapper;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Imports;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// <see cref="SqlDatabase.WriteAsync{T}"/>, the one way the stores write: every acknowledged write is committed, and a
/// write that fails or asks to roll back loses its own changes (rows, audit entries, change-feed rows) and only them.
/// On SQLite the writes queued behind a busy writer share one COMMIT (ADR 0009); on PostgreSQL each commits on its own.
/// </summary>
public abstract class WriteTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : WriteTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : WriteTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private Account _account = null!;
    private Workload _workload = null!;
    private Caller _caller = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        _caller = new Caller(_account.Id, "lic_0123456789abcdef0123456789abcdef", "192.0.2.1");
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Many_concurrent_creations_are_all_committed_and_readable_afterwards()
    {
        var (commits, writes) = (_db.Database.Commits, _db.Database.CommittedWrites);
        var tokens = Enumerable.Range(0, 300).Select(i => NewToken($"user {i}", _workload.Id)).ToList();

        var results = await Task.WhenAll(tokens.Select(t => _db.Tokens.InsertTokenAsync(t, Ct, [Created(t)])));

        Assert.All(results, r => Assert.Equal(SaveResult.Saved, r));
        foreach (var token in tokens)
        {
            TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
            Assert.Equal((1, 1, 1), await TracesOfAsync(token));
        }
        Assert.Equal(300, _db.Database.CommittedWrites - writes);
        var commitsMade = _db.Database.Commits - commits;
        Assert.InRange(commitsMade, 1, 300);
        if (provider != TempDatabase.Sqlite)
        {
            Assert.Equal(300, commitsMade);
        }
    }

    [Fact]
    public async Task A_write_that_fails_or_rolls_back_among_others_loses_only_its_own_changes()
    {
        var kept1 = NewToken("kept 1", _workload.Id);
        var kept2 = NewToken("kept 2", _workload.Id);
        var duplicated = NewToken("inserted twice", _workload.Id);
        var discarded = NewToken("discarded", _workload.Id);
        var orphan = NewToken("for a missing workload", "wl_0123456789abcdef0123456789abcdef");
        var (commits, writes) = (_db.Database.Commits, _db.Database.CommittedWrites);

        // On SQLite the writer is held busy, so the five writes queue up and run in one batch, in this order.
        var release = await HoldWriterAsync(_db.Database);
        var first = _db.Tokens.InsertTokenAsync(kept1, Ct, [Created(kept1)]);
        var failing = _db.Database.WriteAsync<bool>(async (connection, transaction, ct) =>
        {
            await InsertRowAsync(connection, transaction, duplicated, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, [Created(duplicated)], ct);
            await InsertRowAsync(connection, transaction, duplicated, ct); // the same id again: a unique violation
            return WriteOutcome.Commit(true);
        }, Ct);
        var rolledBack = _db.Database.WriteAsync(async (connection, transaction, ct) =>
        {
            await InsertRowAsync(connection, transaction, discarded, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, [Created(discarded)], ct);
            return WriteOutcome.RollBack("discarded");
        }, Ct);
        var missingWorkload = _db.Tokens.InsertTokenAsync(orphan, Ct, [Created(orphan)]);
        var last = _db.Tokens.InsertTokenAsync(kept2, Ct, [Created(kept2)]);
        await release();

        Assert.Equal(SaveResult.Saved, await first);
        Assert.Equal(SaveResult.Saved, await last);
        var violation = await Assert.ThrowsAnyAsync<DbException>(() => failing);
        Assert.True(_db.Database.IsUniqueViolation(violation), violation.Message);
        Assert.Equal("discarded", await rolledBack);
        Assert.Equal(SaveResult.WorkloadMissing, await missingWorkload);

        Assert.Equal((1, 1, 1), await TracesOfAsync(kept1));
        Assert.Equal((1, 1, 1), await TracesOfAsync(kept2));
        Assert.Equal((0, 0, 0), await TracesOfAsync(duplicated));
        Assert.Equal((0, 0, 0), await TracesOfAsync(discarded));
        Assert.Equal((0, 0, 0), await TracesOfAsync(orphan));
        // Kept: the holding write and the two creations.
        Assert.Equal(3, _db.Database.CommittedWrites - writes);
        Assert.Equal(provider == TempDatabase.Sqlite ? 2 : 3, _db.Database.Commits - commits);
    }

    [Fact]
    public async Task A_write_cancelled_before_it_starts_writes_nothing()
    {
        var token = NewToken("never", _workload.Id);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _db.Tokens.InsertTokenAsync(token, cancel.Token, [Created(token)]));

        // Whatever is written next is committed after it in the same queue: by then it has been skipped, never run.
        var next = NewToken("next", _workload.Id);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(next, Ct, [Created(next)]));
        Assert.Equal((0, 0, 0), await TracesOfAsync(token));
    }

    [Fact]
    public async Task A_write_alone_in_its_batch_that_rolls_back_or_fails_loses_its_changes_and_the_next_write_commits()
    {
        // Nothing else is queued, so on SQLite each write is its batch's only one and runs without a savepoint of its own.
        var discarded = NewToken("discarded alone", _workload.Id);
        var duplicated = NewToken("inserted twice alone", _workload.Id);
        var rolledBack = await _db.Database.WriteAsync(async (connection, transaction, ct) =>
        {
            await InsertRowAsync(connection, transaction, discarded, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, [Created(discarded)], ct);
            return WriteOutcome.RollBack("discarded");
        }, Ct);
        var violation = await Assert.ThrowsAnyAsync<DbException>(() => _db.Database.WriteAsync<bool>(async (connection, transaction, ct) =>
        {
            await InsertRowAsync(connection, transaction, duplicated, ct);
            await SqlAuditStore.WriteAsync(connection, transaction, [Created(duplicated)], ct);
            await InsertRowAsync(connection, transaction, duplicated, ct);
            return WriteOutcome.Commit(true);
        }, Ct));
        var next = NewToken("next alone", _workload.Id);

        Assert.Equal("discarded", rolledBack);
        Assert.True(_db.Database.IsUniqueViolation(violation), violation.Message);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(next, Ct, [Created(next)]));
        Assert.Equal((0, 0, 0), await TracesOfAsync(discarded));
        Assert.Equal((0, 0, 0), await TracesOfAsync(duplicated));
        Assert.Equal((1, 1, 1), await TracesOfAsync(next));
    }

    [Fact]
    public async Task A_bulk_batch_stores_every_value_as_a_creation_one_by_one_does()
    {
        // SQLite writes a bulk batch as one JSON array (SqlRows): every value must come back as the one-by-one path stores it.
        List<string> texts = ["plain", "quote \" and back\\slash \\u0041", "line\nbreak\ttab\r", "ünïcödé ✓ 😀 عربى", "'; DROP TABLE query_tokens; --",
            "<script>&amp;</script>", new string('x', 200)];
        if (provider == TempDatabase.Sqlite)
        {
            texts.AddRange(["lone \uD800 surrogate", "nul \0 inside"]); // PostgreSQL refuses both on either path
        }
        var imports = new SqlTokenImportStore(_db.Database);
        var import = new TokenImport("imp_0123456789abcdef0123456789abcdef", _account.Id, "bulk-values", T0, texts.Count);
        var bulk = texts.Select((text, i) => (Row: i + 2, Token: QueryToken.Issue(_account.Id, text, text, i % 2 == 0 ? _workload.Id : null,
            SecretFormat.Generate(SecretKind.QueryToken), T0, TempDatabase.Lifetime))).ToList();
        var audit = bulk.Select(b => AuditEntry.By(_caller, T0, AuditActions.TokenCreated, b.Token.Id, null,
            new System.Text.Json.Nodes.JsonObject { ["name"] = b.Token.Name })).ToList();

        Assert.Equal(SaveResult.Saved, await imports.InsertBatchAsync(import, claim: true, bulk, audit, Ct));

        foreach (var (text, (row, token)) in texts.Zip(bulk))
        {
            var single = QueryToken.Issue(_account.Id, text, text, token.WorkloadId, SecretFormat.Generate(SecretKind.QueryToken), T0, TempDatabase.Lifetime);
            Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(single, Ct, [Created(single)]));
            var (storedBulk, storedSingle) = (await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct), await _db.Tokens.GetTokenAsync(_account.Id, single.Id, Ct));
            Assert.NotNull(storedBulk);
            Assert.NotNull(storedSingle);
            Assert.Equal(storedSingle.Name, storedBulk.Name);
            Assert.Equal(storedSingle.Note, storedBulk.Note);
            if (!text.Contains('\uD800'))
            {
                TokenAssert.AllPropertiesEqual(token, storedBulk);
            }
            Assert.Equal(token.Id, (await _db.Tokens.FindTokenAsync(token.Hash, Ct))?.Token.Id);
            await using var connection = await _db.Database.OpenAsync(Ct);
            Assert.Equal(audit[row - 2].After, await connection.ExecuteScalarAsync<string>(
                "SELECT after_json FROM audit_entries WHERE object_id = @Id", new { token.Id }));
        }
        Assert.Equal(bulk.Select(b => new ImportedRow(b.Row, b.Token.Id)), await imports.RowsAsync(import.Id, Ct));
    }

    /// <summary>
    /// Starts a write that waits until the returned function is called (which returns the write). On SQLite it
    /// occupies the one writer, so writes queued meanwhile run together once it ends; on PostgreSQL it only holds a connection.
    /// </summary>
    internal static async Task<Func<Task>> HoldWriterAsync(SqlDatabase database)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = database.WriteAsync(async (_, _, _) =>
        {
            started.SetResult();
            await release.Task.WaitAsync(Ct);
        }, Ct);
        await started.Task.WaitAsync(Ct);
        return () =>
        {
            release.SetResult();
            return held;
        };
    }

    private QueryToken NewToken(string name, string workloadId) =>
        QueryToken.Issue(_account.Id, name, "", workloadId, SecretFormat.Generate(SecretKind.QueryToken), T0, TempDatabase.Lifetime);

    private AuditEntry Created(QueryToken token) => AuditEntry.By(_caller, T0, AuditActions.TokenCreated, token.Id, null, null);

    /// <summary>What a token left behind: its row, its audit entries, its change-feed rows.</summary>
    private async Task<(long Rows, long AuditEntries, long Changes)> TracesOfAsync(QueryToken token)
    {
        await using var connection = await _db.Database.OpenAsync(Ct);
        return (
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM query_tokens WHERE id = @Id", new { token.Id }),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM audit_entries WHERE object_id = @Id", new { token.Id }),
            await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM token_changes WHERE token_hash = @Hash", new { Hash = token.Hash.ToArray() }));
    }

    internal static Task InsertRowAsync(DbConnection connection, DbTransaction transaction, QueryToken token, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO query_tokens (id, account_id, workload_id, name, name_folded, note, status, token_hash, hint,
                created_at, updated_at, expires_at, last_used_at, use_count, version)
            VALUES (@Id, @AccountId, @WorkloadId, @Name, @Name, '', 'active', @Hash, @Hint, 0, 0, 0, NULL, 0, 1)
            """,
            new { token.Id, token.AccountId, token.WorkloadId, token.Name, Hash = token.Hash.ToArray(), token.Hint },
            transaction, cancellationToken: cancellationToken));
}
