using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Core.Storage;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Gateway;

/// <summary>
/// Issue 16, the gateway feed (API.md §9): a snapshot of an account's tokens as NDJSON ending with its position, the
/// changes after a position (each token as it is now, or deleted), long polls answered by a change, 410 for a
/// position the feed no longer holds, and uses reported back; a workload-bound key sees its workloads only.
/// </summary>
public abstract class GatewayFeedTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : GatewayFeedTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : GatewayFeedTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_snapshot_lists_every_token_of_the_account_that_exists_with_its_hash_and_ends_with_the_position()
    {
        var account = await app.NewAccountAsync();
        var other = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var active = await account.CreateTokenAsync("active", workload.Id);
        var cancelled = await account.CreateTokenAsync("cancelled", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        var unassigned = await account.CreateTokenAsync("unassigned");
        var deleted = await account.CreateTokenAsync("deleted", workload.Id);
        await account.Client.DeleteAsync($"/v1/tokens/{deleted.Id}", Ct).EnsureAsync(HttpStatusCode.NoContent);
        await other.CreateTokenAsync("theirs");

        var (tokens, position) = await (await app.GatewayClientAsync(account)).SnapshotAsync();

        Assert.Equal(new[] { active.Id, cancelled.Id, unassigned.Id }.Order(StringComparer.Ordinal), tokens.Select(t => t.TokenId!).Order(StringComparer.Ordinal));
        var line = tokens.Single(t => t.TokenId == active.Id);
        Assert.Equal(new GatewayEntry(GatewayFeed.HashOf(active.Token), active.Id, workload.Id, active.ExpiresAt, "active"), line);
        Assert.Equal("cancelled", tokens.Single(t => t.TokenId == cancelled.Id).Status);
        Assert.Null(tokens.Single(t => t.TokenId == unassigned.Id).WorkloadId);
        Assert.True(position > 0);
    }

    [Fact]
    public async Task Changes_after_the_position_bring_each_token_once_as_it_is_now_or_deleted_and_nothing_twice()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var kept = await account.CreateTokenAsync("kept", workload.Id);
        var cancelled = await account.CreateTokenAsync("cancelled", workload.Id);
        var deleted = await account.CreateTokenAsync("deleted", workload.Id);
        var gateway = await app.GatewayClientAsync(account);
        var (_, position) = await gateway.SnapshotAsync();
        Assert.Empty((await gateway.ChangesAsync(position)).Changes);

        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        await account.PatchTokenAsync(cancelled.Id, new { name = "cancelled, renamed" });
        await account.Client.DeleteAsync($"/v1/tokens/{deleted.Id}", Ct).EnsureAsync(HttpStatusCode.NoContent);
        var created = await account.CreateTokenAsync("created", workload.Id);
        await (await app.NewAccountAsync()).CreateTokenAsync("another account's");
        var changes = await gateway.ChangesAsync(position);

        Assert.Equal(
            [
                new GatewayEntry(GatewayFeed.HashOf(cancelled.Token), cancelled.Id, workload.Id, cancelled.ExpiresAt, "cancelled"),
                new GatewayEntry(TokenId: deleted.Id, Deleted: true),
                new GatewayEntry(GatewayFeed.HashOf(created.Token), created.Id, workload.Id, created.ExpiresAt, "active"),
            ],
            changes.Changes);
        Assert.DoesNotContain(changes.Changes, c => c.TokenId == kept.Id);
        Assert.True(changes.Position > position);
        Assert.Empty((await gateway.ChangesAsync(changes.Position)).Changes);
    }

    [Fact]
    public async Task A_long_poll_is_answered_by_the_accounts_next_change_and_otherwise_at_the_end_of_its_wait()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("t", (await account.CreateWorkloadAsync("llama")).Id);
        var gateway = await app.GatewayClientAsync(account);
        var (_, position) = await gateway.SnapshotAsync();

        var poll = gateway.ChangesAsync(position, wait: 30, Ct);
        // Another account's change does not answer it.
        await (await app.NewAccountAsync()).CreateTokenAsync("elsewhere");
        await app.WaitForChangeFeedAsync();
        Assert.False(poll.IsCompleted);
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        var answer = await poll.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.Equal([(token.Id, "cancelled")], answer.Changes.Select(c => (c.TokenId!, c.Status!)));

        // Nothing happens: the answer comes when the wait is over (on the server's clock), empty, at a position to go on from.
        var quiet = gateway.ChangesAsync(answer.Position, wait: 5, Ct);
        await app.WaitForChangeFeedAsync();
        Assert.False(quiet.IsCompleted);
        var (_, _) = await Poll.UntilAsync(() =>
        {
            app.Time.Advance(TimeSpan.FromSeconds(6));
            return Task.FromResult(quiet.IsCompleted);
        }, done => done);
        var empty = await quiet;
        Assert.Empty(empty.Changes);
        Assert.True(empty.Position >= answer.Position);
    }

    [Fact]
    public async Task A_workload_bound_key_sees_its_workloads_tokens_only_and_is_told_when_one_leaves_them()
    {
        var account = await app.NewAccountAsync();
        var mine = await account.CreateWorkloadAsync("mine");
        var theirs = await account.CreateWorkloadAsync("theirs");
        var inside = await account.CreateTokenAsync("inside", mine.Id);
        var leaving = await account.CreateTokenAsync("leaving", mine.Id);
        var outside = await account.CreateTokenAsync("outside", theirs.Id);
        await account.CreateTokenAsync("unassigned");
        var gateway = await app.GatewayClientAsync(account, mine.Id);

        var (tokens, position) = await gateway.SnapshotAsync();
        Assert.Equal(new[] { inside.Id, leaving.Id }.Order(StringComparer.Ordinal), tokens.Select(t => t.TokenId!).Order(StringComparer.Ordinal));

        await account.PatchTokenAsync(leaving.Id, new { workloadId = theirs.Id });
        await account.PatchTokenAsync(outside.Id, new { status = "cancelled" });
        await account.CreateTokenAsync("elsewhere", theirs.Id);
        var joining = await account.CreateTokenAsync("joining", theirs.Id);
        await account.PatchTokenAsync(joining.Id, new { workloadId = mine.Id });

        var changes = await gateway.ChangesAsync(position);
        Assert.Equal([(leaving.Id, true), (joining.Id, false)], changes.Changes.Select(c => (c.TokenId!, c.Deleted)));
        Assert.Equal(mine.Id, changes.Changes[1].WorkloadId);
    }

    [Fact]
    public async Task A_position_ahead_of_the_feed_or_behind_its_prune_answers_410_position_expired()
    {
        var account = await app.NewAccountAsync();
        var gateway = await app.GatewayClientAsync(account);
        await account.CreateTokenAsync("t");
        var (_, position) = await gateway.SnapshotAsync();

        await (await gateway.GetAsync($"/v1/gateway/changes?after={position + 1_000_000}", Ct)).ProblemAsync(HttpStatusCode.Gone, "position_expired");
        await account.CreateTokenAsync("u");
        await app.WaitForChangeFeedAsync();
        await app.Services.GetRequiredService<ITokenChangeFeed>().PruneAsync(TimeSpan.FromMilliseconds(-1000), Ct);
        await (await gateway.GetAsync($"/v1/gateway/changes?after={position}", Ct)).ProblemAsync(HttpStatusCode.Gone, "position_expired");

        // A new snapshot starts over, and its position is good.
        var (_, fresh) = await gateway.SnapshotAsync();
        Assert.Empty((await gateway.ChangesAsync(fresh)).Changes);
    }

    [Theory]
    [InlineData("", "after")]
    [InlineData("?after=x", "after")]
    [InlineData("?after=-1", "after")]
    [InlineData("?after=0&wait=31", "wait")]
    [InlineData("?after=0&wait=-1", "wait")]
    [InlineData("?after=0&since=1", "since")]
    public async Task A_malformed_changes_query_is_400_invalid_query(string query, string field)
    {
        var gateway = await app.GatewayClientAsync(await app.NewAccountAsync());
        var problem = await (await gateway.GetAsync($"/v1/gateway/changes{query}", Ct)).ProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
        Assert.Contains(field, problem.Errors!.Keys);
    }

    [Fact]
    public async Task Reported_uses_add_to_use_count_for_the_accounts_tokens_only_and_malformed_reports_change_nothing()
    {
        var account = await app.NewAccountAsync();
        var token = await account.CreateTokenAsync("t", (await account.CreateWorkloadAsync("llama")).Id);
        var other = await app.NewAccountAsync();
        var theirs = await other.CreateTokenAsync("theirs");
        var gateway = await app.GatewayClientAsync(account);
        var at = TesseraApp.Start.AddMinutes(-1);

        var answer = await (await gateway.PostJsonAsync("/v1/gateway/usage", new GatewayUsageRequest(
            [new GatewayUsageItem(token.Id, 3, at), new GatewayUsageItem(token.Id, 4, at.AddSeconds(1)), new GatewayUsageItem(theirs.Id, 5, at)])))
            .ReadAsync<GatewayUsageResponse>();
        Assert.Equal(2, answer.Recorded);
        var read = await account.GetTokenAsync(token.Id);
        Assert.Equal(7, read.UseCount);
        Assert.Equal(at.AddSeconds(1), read.LastUsedAt);

        var problem = await (await gateway.SendRawAsync(HttpMethod.Post, "/v1/gateway/usage",
                $$"""{"items":[{"tokenId":"{{token.Id}}","uses":0,"lastUsedAt":"2026-11-30T12:00:00Z"},{"tokenId":"nope","uses":1,"lastUsedAt":"yesterday","x":1}]}"""))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(["items[0].uses", "items[1].x"], problem.Errors!.Keys.Order(StringComparer.Ordinal));
        await (await gateway.SendRawAsync(HttpMethod.Post, "/v1/gateway/usage", """{"items":"all"}"""))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        await (await gateway.SendRawAsync(HttpMethod.Post, "/v1/gateway/usage", "{}")).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
        Assert.Equal(7, (await account.GetTokenAsync(token.Id)).UseCount);
        Assert.Equal(0, (await other.GetTokenAsync(theirs.Id)).UseCount);
    }
}
