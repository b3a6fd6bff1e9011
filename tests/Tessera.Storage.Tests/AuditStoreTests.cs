using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Secrets;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Storage.Sql;

namespace Tessera.Storage.Tests;

/// <summary>
/// The stores write a change's audit entries in the change's transaction and only when it saves; the
/// audit store lists one account's entries newest first with keyset paging, and prunes in bounded batches.
/// One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.
/// </summary>
public abstract class AuditStoreTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : AuditStoreTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : AuditStoreTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private SqlAuditStore _audit = null!;
    private Account _account = null!;
    private Account _other = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _audit = new SqlAuditStore(_db.Database);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _other = await _db.AddAccountAsync("Other provider", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task A_write_stores_its_entries_only_when_it_saves()
    {
        var caller = new Caller(_account.Id, "lic_0123456789abcdef0123456789abcdef", "192.0.2.1");
        var token = QueryToken.Issue(_account.Id, "alice", "", null, SecretFormat.Generate(SecretKind.QueryToken), T0, TempDatabase.Lifetime);
        Assert.Equal(SaveResult.Saved, await _db.Tokens.InsertTokenAsync(token, Ct, [Entry(caller, AuditActions.TokenCreated, token.Id, T0)]));

        // Refused writes: a stale version, a workload of no account, a missing token.
        var stale = QueryToken.Rehydrate(token.Id, token.AccountId, "x", "", null, TokenStatus.Active, token.Hash, token.Hint,
            T0, T0, token.ExpiresAt, null, 0, version: 7);
        Assert.Equal(SaveResult.VersionConflict, await _db.Tokens.UpdateTokenAsync(stale, Ct, [Entry(caller, AuditActions.TokenRenamed, token.Id, T0)]));
        token.AssignTo("wl_0123456789abcdef0123456789abcdef", T0);
        Assert.Equal(SaveResult.WorkloadMissing, await _db.Tokens.UpdateTokenAsync(token, Ct, [Entry(caller, AuditActions.TokenAssigned, token.Id, T0)]));
        Assert.Equal(SaveResult.NotFound, await _db.Tokens.DeleteTokenAsync(_account.Id, "tok_0123456789abcdef0123456789abcdef", null, Ct,
            [Entry(caller, AuditActions.TokenDeleted, "tok_0123456789abcdef0123456789abcdef", T0)]));
        Assert.Equal(SaveResult.VersionConflict, await _db.Tokens.DeleteTokenAsync(_account.Id, token.Id, 7, Ct,
            [Entry(caller, AuditActions.TokenDeleted, token.Id, T0)]));
        var taken = Workload.Create(_account.Id, "llama", "", T0);
        Assert.Equal(SaveResult.Saved, await _db.Workloads.InsertWorkloadAsync(taken, Ct, [Entry(caller, AuditActions.WorkloadCreated, taken.Id, T0)]));
        var twin = Workload.Create(_account.Id, "LLAMA", "", T0);
        Assert.Equal(SaveResult.NameTaken, await _db.Workloads.InsertWorkloadAsync(twin, Ct, [Entry(caller, AuditActions.WorkloadCreated, twin.Id, T0)]));
        Assert.Equal(SaveResult.LastActiveKey, await _db.Accounts.RevokeLicenseKeyAsync(_account.Id,
            (await _db.Accounts.ListLicenseKeysAsync(_account.Id, Ct))[0].Id, T0, Ct, [Entry(caller, AuditActions.LicenseKeyRevoked, "lic_x", T0)]));

        var entries = (await _audit.ListAsync(_account.Id, new AuditQuery { Limit = 100 }, Ct)).Items;
        Assert.Equal([AuditActions.TokenCreated, AuditActions.WorkloadCreated], entries.Select(e => e.Action).Order(StringComparer.Ordinal));
        var created = entries.Single(e => e.ObjectId == token.Id);
        Assert.Equal((AuditActors.LicenseKey, caller.LicenseKeyId, "192.0.2.1", T0), (created.ActorType, created.ActorId, created.ClientIp, created.At));
    }

    [Fact]
    public async Task Deleting_a_workload_records_each_token_it_unassigned_in_the_same_transaction()
    {
        var caller = new Caller(_account.Id, "lic_0123456789abcdef0123456789abcdef");
        var workload = await _db.AddWorkloadAsync(_account.Id, "llama", T0, Ct);
        var bound = new[] { await _db.AddTokenAsync(_account.Id, "a", workload.Id, T0, Ct), await _db.AddTokenAsync(_account.Id, "b", workload.Id, T0, Ct) };
        var loose = await _db.AddTokenAsync(_account.Id, "c", null, T0, Ct);
        var deletion = Entry(caller, AuditActions.WorkloadDeleted, workload.Id, T0.AddMinutes(1));

        Assert.Equal(SaveResult.Saved, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0.AddMinutes(1), Ct, [deletion]));

        var entries = (await _audit.ListAsync(_account.Id, new AuditQuery { Limit = 100 }, Ct)).Items;
        Assert.Equal(3, entries.Count);
        Assert.Equal(bound.Select(t => t.Id).Order(StringComparer.Ordinal),
            entries.Where(e => e.Action == AuditActions.TokenUnassigned).Select(e => e.ObjectId!).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(entries, e => e.ObjectId == loose.Id);
        Assert.All(entries, e => Assert.Equal((deletion.At, deletion.ActorId), (e.At, e.ActorId)));
    }

    [Fact]
    public async Task The_list_is_one_accounts_newest_first_with_keyset_paging_and_pruning_takes_the_oldest_in_bounded_batches()
    {
        var caller = new Caller(_account.Id, "lic_0123456789abcdef0123456789abcdef");
        for (var i = 0; i < 5; i++)
        {
            await _audit.AppendAsync(Entry(caller, AuditActions.TokenRenamed, $"tok_{i}", T0.AddMinutes(i)), Ct);
        }
        await _audit.AppendAsync(Entry(new Caller(_other.Id, "lic_x"), AuditActions.TokenRenamed, "tok_0", T0.AddMinutes(9)), Ct);

        var first = await _audit.ListAsync(_account.Id, new AuditQuery { Limit = 2 }, Ct);
        Assert.True(first.HasMore);
        Assert.Equal(["tok_4", "tok_3"], first.Items.Select(e => e.ObjectId));
        var last = first.Items[^1];
        var second = await _audit.ListAsync(_account.Id,
            new AuditQuery { Limit = 10, After = new ListCursor("audit", "at", last.Id, last.At.ToUnixTimeMilliseconds(), null) }, Ct);
        Assert.False(second.HasMore);
        Assert.Equal(["tok_2", "tok_1", "tok_0"], second.Items.Select(e => e.ObjectId));
        Assert.Single((await _audit.ListAsync(_account.Id, new AuditQuery { ObjectId = "tok_0" }, Ct)).Items);

        Assert.Equal(2, await _audit.PruneAsync(T0.AddMinutes(3), 2, Ct));
        Assert.Equal(1, await _audit.PruneAsync(T0.AddMinutes(3), 2, Ct));
        Assert.Equal(0, await _audit.PruneAsync(T0.AddMinutes(3), 2, Ct));
        Assert.Equal(["tok_4", "tok_3"], (await _audit.ListAsync(_account.Id, new AuditQuery(), Ct)).Items.Select(e => e.ObjectId));
        Assert.Single((await _audit.ListAsync(_other.Id, new AuditQuery(), Ct)).Items);
    }

    private static AuditEntry Entry(Caller caller, string action, string objectId, DateTimeOffset at) =>
        AuditEntry.By(caller, at, action, objectId, null, null);
}
