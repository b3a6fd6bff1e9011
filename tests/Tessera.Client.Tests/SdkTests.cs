using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Client.Tests;

/// <summary>Every SDK call against a real Tessera (WebApplicationFactory over SQLite), and its error mapping.</summary>
public sealed class SdkTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private async Task<(TesseraManagementClient Client, TestAccount Account)> NewClientAsync()
    {
        var account = await app.NewAccountAsync();
        return (new TesseraManagementClient(app.CreateClient(), new TesseraClientOptions { LicenseKey = account.LicenseKey }), account);
    }

    private TesseraQueryClient QueryClient(string token) => new(app.CreateClient(), token);

    [Fact]
    public async Task The_reference_style_calls_create_a_model_and_a_usable_token()
    {
        var (client, _) = await NewClientAsync();

        var modelId = await client.CreateModelAsync("model_name");
        var (tokenId, token) = await client.GenerateQueryTokenAsync(modelId, "token_name");

        var handshake = await QueryClient(token).HandshakeAsync();
        Assert.Equal(tokenId, handshake.TokenId);
        Assert.Equal(new WorkloadReference(modelId, "model_name"), handshake.Workload);
        Assert.Equal("token_name", (await client.GetTokenAsync(tokenId)).Name);
    }

    [Fact]
    public async Task Account_and_license_keys_can_be_read_created_and_revoked()
    {
        var (client, account) = await NewClientAsync();

        Assert.Equal(account.Id, (await client.GetAccountAsync()).Id);
        var created = await client.CreateLicenseKeyAsync("ci");
        Assert.StartsWith("tsl_", created.Key, StringComparison.Ordinal);
        Assert.Equal(["Initial key", "ci"], (await client.ListLicenseKeysAsync()).Select(k => k.Name).Order(StringComparer.Ordinal));

        await client.RevokeLicenseKeyAsync(created.Id);
        Assert.Equal("revoked", (await client.ListLicenseKeysAsync()).Single(k => k.Id == created.Id).Status);
        var last = (await client.ListLicenseKeysAsync()).Single(k => k.Status == "active");
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => client.RevokeLicenseKeyAsync(last.Id));
        Assert.Equal((HttpStatusCode.Conflict, "last_license_key"), (refused.StatusCode, refused.Code));
    }

    [Fact]
    public async Task A_refusal_carries_the_servers_trace_id_and_every_call_names_the_sdk_and_its_version()
    {
        var (client, _) = await NewClientAsync();

        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetTokenAsync("tok_0193a5b3f6a27d1e8c9b0a1f2e3d4c5b"));
        Assert.Equal(HttpStatusCode.NotFound, refused.StatusCode);
        Assert.Matches("[0-9a-f]{32}", refused.TraceId ?? "");
        Assert.EndsWith($"(trace {refused.TraceId})", refused.Message, StringComparison.Ordinal);

        await using var other = await AuthorizationRecorder.StartAsync();
        using var elsewhere = new TesseraManagementClient(other.Url, "tsl_ExampleOnly00000000000000000000000000000000000000");
        await Assert.ThrowsAsync<TesseraApiException>(() => elsewhere.GetAccountAsync());
        Assert.Matches(@"^tessera-dotnet/\d+\.\d+\.\d+", Assert.Single(other.UserAgents));
    }

    [Fact]
    public async Task Workloads_are_created_listed_over_pages_read_updated_and_deleted()
    {
        var (client, _) = await NewClientAsync();
        foreach (var name in new[] { "delta", "alpha", "charlie", "bravo", "echo" })
        {
            await client.CreateWorkloadAsync(name, $"{name} model");
        }

        var all = await client.ListWorkloadsAsync(pageSize: 2).ToListAsync();
        Assert.Equal(["alpha", "bravo", "charlie", "delta", "echo"], all.Select(w => w.Name));

        var alpha = all[0];
        Assert.Equal("alpha model", (await client.GetWorkloadAsync(alpha.Id)).Description);
        var renamed = await client.UpdateWorkloadAsync(alpha.Id, new UpdateWorkloadRequest(Name: "alpha-2"));
        Assert.Equal(("alpha-2", "alpha model"), (renamed.Name, renamed.Description));
        var described = await client.UpdateWorkloadAsync(alpha.Id, new UpdateWorkloadRequest(Description: ""), renamed.Version);
        Assert.Equal(("alpha-2", ""), (described.Name, described.Description));
        var stale = await Assert.ThrowsAsync<TesseraApiException>(() => client.UpdateWorkloadAsync(alpha.Id, new UpdateWorkloadRequest(Name: "x"), renamed.Version));
        Assert.Equal((HttpStatusCode.PreconditionFailed, "precondition_failed"), (stale.StatusCode, stale.Code));

        await client.DeleteWorkloadAsync(alpha.Id);
        var gone = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetWorkloadAsync(alpha.Id));
        Assert.Equal((HttpStatusCode.NotFound, "workload_not_found"), (gone.StatusCode, gone.Code));
    }

    [Fact]
    public async Task A_token_goes_through_its_whole_lifecycle_and_the_query_side_follows()
    {
        var (client, _) = await NewClientAsync();
        var a = await client.CreateWorkloadAsync("a");
        var b = await client.CreateWorkloadAsync("b");
        var created = await client.CreateTokenAsync("alice", a.Id, "first note");
        var user = QueryClient(created.Token);
        Assert.Equal(a.Id, (await user.HandshakeAsync()).Workload.Id);

        var updated = await client.UpdateTokenAsync(created.Id, new UpdateTokenRequest(Name: "alice-2", Note: "VIP"));
        Assert.Equal(("alice-2", "VIP", a.Id), (updated.Name, updated.Note, updated.WorkloadId));

        Assert.Equal(b.Id, (await client.AssignTokenAsync(created.Id, b.Id)).WorkloadId);
        Assert.Equal(b.Id, (await user.HandshakeAsync()).Workload.Id);

        Assert.Equal("unassigned", (await client.UnassignTokenAsync(created.Id)).State);
        await AssertRefusedAsync(user, "token_unassigned");
        await client.AssignTokenAsync(created.Id, a.Id);

        Assert.Equal("cancelled", (await client.CancelTokenAsync(created.Id)).State);
        await AssertRefusedAsync(user, "token_cancelled");
        var renewCancelled = await Assert.ThrowsAsync<TesseraApiException>(() => client.RenewTokenAsync(created.Id));
        Assert.Equal((HttpStatusCode.Conflict, "token_cancelled"), (renewCancelled.StatusCode, renewCancelled.Code));
        Assert.Equal("usable", (await client.ReactivateTokenAsync(created.Id)).State);

        var soon = app.Time.GetUtcNow().AddHours(1);
        var expiring = await client.SetTokenExpiryAsync(created.Id, soon);
        Assert.Equal(soon.ToUnixTimeMilliseconds(), expiring.ExpiresAt.ToUnixTimeMilliseconds());
        app.Time.Advance(TimeSpan.FromHours(2));
        await AssertRefusedAsync(user, "token_expired");
        var renewed = await client.RenewTokenAsync(created.Id, ifMatch: expiring.Version);
        Assert.Equal("usable", renewed.State);
        Assert.Equal(created.Id, (await user.HandshakeAsync()).TokenId);

        await Assert.ThrowsAsync<TesseraApiException>(() => client.DeleteTokenAsync(created.Id, ifMatch: expiring.Version));
        await client.DeleteTokenAsync(created.Id, ifMatch: renewed.Version);
        await AssertRefusedAsync(user, "token_unknown");
        var gone = await Assert.ThrowsAsync<TesseraApiException>(() => client.GetTokenAsync(created.Id));
        Assert.Equal((HttpStatusCode.NotFound, "token_not_found"), (gone.StatusCode, gone.Code));
    }

    [Fact]
    public async Task ListTokensAsync_walks_every_page_with_the_filters_of_the_api()
    {
        var (client, _) = await NewClientAsync();
        var model = await client.CreateModelAsync("paged");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await client.GenerateQueryTokenAsync(model, $"user {i}")).TokenId);
            app.Time.Advance(TimeSpan.FromSeconds(1));
        }
        var parked = await client.CreateTokenAsync("parked");
        await client.CancelTokenAsync(ids[3]);

        var page = await client.ListTokenPageAsync(new TokenListFilter { WorkloadId = model, PageSize = 3 }, null);
        Assert.Equal(3, page.Items.Count);
        Assert.NotNull(page.NextCursor);

        var all = await client.ListTokensAsync(new TokenListFilter { WorkloadId = model, PageSize = 3 }).ToListAsync();
        Assert.Equal(ids.AsEnumerable().Reverse(), all.Select(t => t.Id));
        var byName = await client.ListTokensAsync(new TokenListFilter { Sort = "name", PageSize = 2, Status = "active", NameContains = "USER" }).ToListAsync();
        Assert.Equal(["user 0", "user 1", "user 2", "user 4", "user 5", "user 6"], byName.Select(t => t.Name));
        Assert.Equal([parked.Id], (await client.ListTokensAsync(new TokenListFilter { Unassigned = true }).ToListAsync()).Select(t => t.Id));
        Assert.Equal([ids[3]], (await client.ListTokensAsync(new TokenListFilter { State = "cancelled" }).ToListAsync()).Select(t => t.Id));
        var created = all.Single(t => t.Id == ids[2]).CreatedAt;
        var window = await client.ListTokensAsync(new TokenListFilter { CreatedFrom = created, CreatedTo = created.AddSeconds(2) }).ToListAsync();
        Assert.Equal([ids[3], ids[2]], window.Select(t => t.Id));
        Assert.Equal(8, (await client.ListTokensAsync(new TokenListFilter { ExpiresBefore = app.Time.GetUtcNow().AddDays(31) }).ToListAsync()).Count);
    }

    [Fact]
    public async Task Refusals_become_one_exception_with_status_code_detail_and_field_errors()
    {
        var (client, _) = await NewClientAsync();
        await client.CreateWorkloadAsync("taken");

        var taken = await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateWorkloadAsync("TAKEN"));
        Assert.Equal((HttpStatusCode.Conflict, "workload_name_taken"), (taken.StatusCode, taken.Code));
        Assert.Contains("already has this name", taken.Detail, StringComparison.Ordinal);

        var invalid = await Assert.ThrowsAsync<TesseraApiException>(() => client.CreateTokenAsync(new string('x', 101)));
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "validation_failed"), (invalid.StatusCode, invalid.Code));
        Assert.True(invalid.Errors.ContainsKey("name"));

        var badFilter = await Assert.ThrowsAsync<TesseraApiException>(() => client.ListTokensAsync(new TokenListFilter { Status = "paused" }).ToListAsync().AsTask());
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_query"), (badFilter.StatusCode, badFilter.Code));

        var wrongKey = "tsl_" + new string('0', 49);
        using var stranger = new TesseraManagementClient(app.CreateClient(), new TesseraClientOptions { LicenseKey = wrongKey });
        var unauthorized = await Assert.ThrowsAsync<TesseraApiException>(() => stranger.GetAccountAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.StatusCode);
        Assert.StartsWith("license_key_", unauthorized.Code, StringComparison.Ordinal);
        Assert.DoesNotContain(wrongKey, unauthorized.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_accounts_token_and_workload_are_not_found()
    {
        var (mine, _) = await NewClientAsync();
        var (theirs, _) = await NewClientAsync();
        var workload = await theirs.CreateModelAsync("theirs");
        var (tokenId, _) = await theirs.GenerateQueryTokenAsync(workload, "theirs");

        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<TesseraApiException>(() => mine.GetTokenAsync(tokenId))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<TesseraApiException>(() => mine.CancelTokenAsync(tokenId))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Assert.ThrowsAsync<TesseraApiException>(() => mine.GetWorkloadAsync(workload))).StatusCode);
        Assert.Equal("usable", (await theirs.GetTokenAsync(tokenId)).State);
    }

    [Fact]
    public async Task A_cancelled_call_throws_OperationCanceledException()
    {
        var (client, _) = await NewClientAsync();
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAccountAsync(cancelled.Token));
    }

    private static async Task AssertRefusedAsync(TesseraQueryClient user, string code)
    {
        var refused = await Assert.ThrowsAsync<TesseraApiException>(() => user.HandshakeAsync());
        Assert.Equal((HttpStatusCode.Unauthorized, code), (refused.StatusCode, refused.Code));
    }
}
