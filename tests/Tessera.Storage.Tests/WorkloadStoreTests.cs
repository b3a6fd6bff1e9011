using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;

namespace Tessera.Storage.Tests;

/// <summary>One test body, two databases: <see cref="OnSqlite"/> and <see cref="OnPostgres"/>.</summary>
public abstract class WorkloadStoreTests(string provider) : IAsyncLifetime
{
    public sealed class OnSqlite() : WorkloadStoreTests(TempDatabase.Sqlite);

    public sealed class OnPostgres() : WorkloadStoreTests(TempDatabase.Postgres);

    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private TempDatabase _db = null!;
    private Account _account = null!;
    private Account _other = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _db = await TempDatabase.CreateMigratedAsync(provider, Ct);
        _account = await _db.AddAccountAsync("Provider", T0, Ct);
        _other = await _db.AddAccountAsync("Other provider", T0, Ct);
    }

    public ValueTask DisposeAsync() => _db.DisposeAsync();

    [Fact]
    public async Task Insert_then_get_round_trips_the_workload_with_no_tokens()
    {
        var workload = Workload.Create(_account.Id, "Llama 3 70B", "A description\nwith two lines", T0.AddMilliseconds(7));

        Assert.Equal(SaveResult.Saved, await _db.Workloads.InsertWorkloadAsync(workload, Ct));
        var view = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct);

        Assert.NotNull(view);
        AssertSame(workload, view.Workload);
        Assert.Equal(0, view.TokenCount);
        Assert.Equal(0, view.UsableTokenCount);
    }

    [Fact]
    public async Task Get_counts_all_assigned_tokens_and_those_usable_at_now()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var sibling = await _db.AddWorkloadAsync(_account.Id, "Mistral", T0, Ct);
        var shortLived = TimeSpan.FromDays(1);
        await _db.AddTokenAsync(_account.Id, "usable 1", workload.Id, T0, Ct);
        await _db.AddTokenAsync(_account.Id, "usable 2", workload.Id, T0, Ct);
        await _db.AddTokenAsync(_account.Id, "expires at T0+1d", workload.Id, T0, shortLived, cancelled: false, Ct);
        await _db.AddTokenAsync(_account.Id, "cancelled", workload.Id, T0, TempDatabase.Lifetime, cancelled: true, Ct);
        await _db.AddTokenAsync(_account.Id, "unassigned", null, T0, Ct);
        await _db.AddTokenAsync(_account.Id, "elsewhere", sibling.Id, T0, Ct);

        var beforeExpiry = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0 + shortLived - TimeSpan.FromMilliseconds(1), Ct);
        var atExpiry = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0 + shortLived, Ct);

        Assert.NotNull(beforeExpiry);
        Assert.Equal(4, beforeExpiry.TokenCount);
        Assert.Equal(3, beforeExpiry.UsableTokenCount);
        Assert.NotNull(atExpiry);
        Assert.Equal(4, atExpiry.TokenCount);
        Assert.Equal(2, atExpiry.UsableTokenCount);
    }

    [Fact]
    public async Task Get_with_another_accounts_id_returns_null()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        Assert.NotNull(await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct));

        Assert.Null(await _db.Workloads.GetWorkloadAsync(_other.Id, workload.Id, T0, Ct));
    }

    [Fact]
    public async Task A_second_workload_with_the_same_name_in_another_case_is_NameTaken()
    {
        await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var duplicate = Workload.Create(_account.Id, "LLAMA", "", T0);

        Assert.Equal(SaveResult.NameTaken, await _db.Workloads.InsertWorkloadAsync(duplicate, Ct));
        Assert.Equal(SaveResult.NameTaken, await _db.Workloads.InsertWorkloadAsync(Workload.Create(_account.Id, "Llama", "", T0), Ct));
        Assert.Null(await _db.Workloads.GetWorkloadAsync(_account.Id, duplicate.Id, T0, Ct));
    }

    [Fact]
    public async Task The_same_name_in_another_account_is_fine()
    {
        await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var theirs = Workload.Create(_other.Id, "Llama", "", T0);

        Assert.Equal(SaveResult.Saved, await _db.Workloads.InsertWorkloadAsync(theirs, Ct));
        Assert.NotNull(await _db.Workloads.GetWorkloadAsync(_other.Id, theirs.Id, T0, Ct));
    }

    [Fact]
    public async Task Update_with_the_current_version_saves_and_bumps_the_stored_version()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        workload.Rename("Llama 2", T0.AddMinutes(1));
        workload.Describe("bigger", T0.AddMinutes(1));

        Assert.Equal(SaveResult.Saved, await _db.Workloads.UpdateWorkloadAsync(workload, Ct));
        workload.MarkSaved();

        var stored = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct);
        Assert.NotNull(stored);
        Assert.Equal(2, stored.Workload.Version);
        AssertSame(workload, stored.Workload);
    }

    [Fact]
    public async Task Update_with_a_stale_version_is_VersionConflict_and_changes_nothing()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var first = (await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct))!.Workload;
        var second = (await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct))!.Workload;
        first.Describe("first", T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Workloads.UpdateWorkloadAsync(first, Ct));
        first.MarkSaved();

        second.Rename("Second", T0.AddMinutes(2));

        Assert.Equal(SaveResult.VersionConflict, await _db.Workloads.UpdateWorkloadAsync(second, Ct));
        AssertSame(first, (await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct))!.Workload);
    }

    [Fact]
    public async Task Update_of_a_missing_workload_is_NotFound()
    {
        var workload = Workload.Create(_account.Id, "Never stored", "", T0);
        workload.Describe("x", T0);

        Assert.Equal(SaveResult.NotFound, await _db.Workloads.UpdateWorkloadAsync(workload, Ct));
    }

    [Fact]
    public async Task Rename_onto_another_workloads_name_is_NameTaken_and_changes_nothing()
    {
        await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var mistral = await _db.AddWorkloadAsync(_account.Id, "Mistral", T0, Ct);
        var renamed = (await _db.Workloads.GetWorkloadAsync(_account.Id, mistral.Id, T0, Ct))!.Workload;
        renamed.Rename("lLaMa", T0.AddMinutes(1));

        Assert.Equal(SaveResult.NameTaken, await _db.Workloads.UpdateWorkloadAsync(renamed, Ct));

        AssertSame(mistral, (await _db.Workloads.GetWorkloadAsync(_account.Id, mistral.Id, T0, Ct))!.Workload);
    }

    [Fact]
    public async Task Renaming_a_workload_to_another_case_of_its_own_name_is_fine()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        workload.Rename("LLAMA", T0.AddMinutes(1));

        Assert.Equal(SaveResult.Saved, await _db.Workloads.UpdateWorkloadAsync(workload, Ct));
        Assert.Equal("LLAMA", (await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct))!.Workload.Name);
    }

    [Fact]
    public async Task Delete_unassigns_its_tokens_bumping_their_version_and_keeps_them()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var sibling = await _db.AddWorkloadAsync(_account.Id, "Mistral", T0, Ct);
        var first = await _db.AddTokenAsync(_account.Id, "first", workload.Id, T0, Ct);
        var second = await _db.AddTokenAsync(_account.Id, "second", workload.Id, T0, TempDatabase.Lifetime, cancelled: true, Ct);
        var elsewhere = await _db.AddTokenAsync(_account.Id, "elsewhere", sibling.Id, T0, Ct);
        var deletedAt = T0.AddHours(1);

        Assert.Equal(SaveResult.Saved, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, deletedAt, Ct));

        Assert.Null(await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct));
        foreach (var token in new[] { first, second })
        {
            var stored = await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct);
            Assert.NotNull(stored);
            Assert.Null(stored.WorkloadId);
            Assert.Equal(token.Version + 1, stored.Version);
            Assert.Equal(deletedAt, stored.UpdatedAt);
            Assert.Equal(token.Status, stored.Status);
            Assert.Equal(token.Hash, stored.Hash);
        }
        TokenAssert.AllPropertiesEqual(elsewhere, await _db.Tokens.GetTokenAsync(_account.Id, elsewhere.Id, Ct));
    }

    [Fact]
    public async Task Unassigned_tokens_of_a_deleted_workload_can_be_assigned_again()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var token = await _db.AddTokenAsync(_account.Id, "first", workload.Id, T0, Ct);
        await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0.AddHours(1), Ct);
        var replacement = await _db.AddWorkloadAsync(_account.Id, "Llama", T0.AddHours(2), Ct);
        var stored = (await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct))!;

        stored.AssignTo(replacement.Id, T0.AddHours(3));

        Assert.Equal(SaveResult.Saved, await _db.Tokens.UpdateTokenAsync(stored, Ct));
        Assert.Equal(replacement.Id, (await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct))!.WorkloadId);
    }

    [Fact]
    public async Task Delete_of_another_accounts_workload_is_NotFound_and_changes_nothing()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var token = await _db.AddTokenAsync(_account.Id, "first", workload.Id, T0, Ct);

        Assert.Equal(SaveResult.NotFound, await _db.Workloads.DeleteWorkloadAsync(_other.Id, workload.Id, T0.AddHours(1), Ct));

        var view = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct);
        Assert.NotNull(view);
        AssertSame(workload, view.Workload);
        Assert.Equal(1, view.TokenCount);
        TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
    }

    [Fact]
    public async Task Delete_of_a_missing_workload_is_NotFound()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        Assert.Equal(SaveResult.Saved, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0, Ct));

        Assert.Equal(SaveResult.NotFound, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0, Ct));
    }

    [Fact]
    public async Task Delete_pinned_to_a_stale_version_is_VersionConflict_and_changes_nothing()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        var token = await _db.AddTokenAsync(_account.Id, "first", workload.Id, T0, Ct);
        workload.Rename("Llama 3", T0.AddMinutes(1));
        Assert.Equal(SaveResult.Saved, await _db.Workloads.UpdateWorkloadAsync(workload, Ct));

        Assert.Equal(SaveResult.VersionConflict,
            await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0.AddHours(1), Ct, expectedVersion: 1));

        var view = await _db.Workloads.GetWorkloadAsync(_account.Id, workload.Id, T0, Ct);
        Assert.Equal((2L, 1L), (view!.Workload.Version, view.TokenCount));
        TokenAssert.AllPropertiesEqual(token, await _db.Tokens.GetTokenAsync(_account.Id, token.Id, Ct));
        Assert.Equal(SaveResult.Saved, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0.AddHours(1), Ct, expectedVersion: 2));
        Assert.Equal(SaveResult.NotFound, await _db.Workloads.DeleteWorkloadAsync(_account.Id, workload.Id, T0.AddHours(1), Ct, expectedVersion: 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    public async Task List_pages_by_name_case_insensitively_through_every_workload_exactly_once(int limit)
    {
        string[] names = ["delta", "Alpha", "charlie", "Bravo", "echo", "ALPHA 2", "Émigré", "_underscore", "Zulu", "yankee"];
        foreach (var name in names)
        {
            await _db.AddWorkloadAsync(_account.Id, name, T0, Ct);
            await _db.AddWorkloadAsync(_other.Id, name + " (other)", T0, Ct);
        }
        string[] expected = ["_underscore", "Alpha", "ALPHA 2", "Bravo", "charlie", "delta", "echo", "yankee", "Zulu", "Émigré"];

        var seen = new List<string>();
        ListCursor? after = null;
        for (var pages = 1; ; pages++)
        {
            Assert.True(pages <= names.Length + 1, "paging terminates");
            var page = await _db.Workloads.ListWorkloadsAsync(_account.Id, limit, after, T0, Ct);
            Assert.InRange(page.Items.Count, 1, limit);
            Assert.All(page.Items, v => Assert.Equal(_account.Id, v.Workload.AccountId));
            seen.AddRange(page.Items.Select(v => v.Workload.Name));
            if (!page.HasMore)
            {
                break;
            }
            var last = page.Items[^1].Workload;
            var encoded = new ListCursor("workloads", "name", last.Id, null, last.Name.ToLowerInvariant()).Encode();
            after = ListCursor.Decode(encoded, "workloads", "name", Ids.Workload);
        }

        Assert.Equal(expected, seen);
    }

    [Fact]
    public async Task List_pages_carry_token_counts()
    {
        var workload = await _db.AddWorkloadAsync(_account.Id, "Llama", T0, Ct);
        await _db.AddTokenAsync(_account.Id, "one", workload.Id, T0, Ct);
        await _db.AddTokenAsync(_account.Id, "two", workload.Id, T0, TempDatabase.Lifetime, cancelled: true, Ct);

        var page = await _db.Workloads.ListWorkloadsAsync(_account.Id, 10, null, T0, Ct);

        var view = Assert.Single(page.Items);
        Assert.False(page.HasMore);
        Assert.Equal(2, view.TokenCount);
        Assert.Equal(1, view.UsableTokenCount);
    }

    private static void AssertSame(Workload expected, Workload actual)
    {
        Assert.Equal(
            (expected.Id, expected.AccountId, expected.Name, expected.Description, expected.CreatedAt, expected.UpdatedAt, expected.Version),
            (actual.Id, actual.AccountId, actual.Name, actual.Description, actual.CreatedAt, actual.UpdatedAt, actual.Version));
    }
}
