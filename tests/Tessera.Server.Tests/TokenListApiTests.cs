using System.Net;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Tessera.Contracts;
using Tessera.Server.Background;
using Tessera.Server.Tests.Infrastructure;
using Tessera.Storage.Sql;

namespace Tessera.Server.Tests;

/// <summary>GET /v1/tokens: every filter, every sort, cursor paging, and every refusal of a bad query.</summary>
public abstract class TokenListApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : TokenListApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : TokenListApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    /// <summary>An account with a known spread of tokens: two workloads, unassigned, cancelled, expired.</summary>
    private async Task<(TestAccount Account, WorkloadResponse A, WorkloadResponse B, Dictionary<string, TokenResponse> Tokens)> SeedAsync()
    {
        var account = await app.NewAccountAsync();
        var a = await account.CreateWorkloadAsync("alpha");
        var b = await account.CreateWorkloadAsync("beta");
        var tokens = new Dictionary<string, TokenResponse>();
        async Task Add(string name, string? workload)
        {
            tokens[name] = await account.CreateTokenAsync(name, workload);
            app.Time.Advance(TimeSpan.FromSeconds(1));
        }
        await Add("Zed", a.Id);
        await Add("amy", a.Id);
        await Add("Bob", b.Id);
        await Add("parked", null);
        await Add("cancelled one", a.Id);
        await Add("short-lived", b.Id);
        await account.PatchTokenAsync(tokens["cancelled one"].Id, new { status = "cancelled" });
        tokens["short-lived"] = await account.PatchTokenAsync(tokens["short-lived"].Id, new { expiresAt = app.Time.GetUtcNow().AddHours(1).ToString("O") });
        await app.HandshakeAsync(((CreatedTokenResponse)tokens["amy"]).Token);
        app.Time.Advance(TimeSpan.FromSeconds(1));
        await app.HandshakeAsync(((CreatedTokenResponse)tokens["Bob"]).Token);
        await app.FlushUsageAsync();
        app.Time.Advance(TimeSpan.FromHours(2)); // "short-lived" is now expired
        return (account, a, b, tokens);
    }

    private static async Task<string[]> NamesAsync(TestAccount account, string query) =>
        [.. (await account.ListTokensAsync(query)).Items.Select(t => t.Name)];

    [Fact]
    public async Task A_token_the_expiry_marker_has_seen_expire_lists_as_expired_and_once_renewed_as_usable_again()
    {
        // The marker runs in the server (ADR 0012, "The passed expiries"): its timer, on the test's clock, may pass when the
        // clock moves; a pass here in any case, once the expiries have passed by more than its minute.
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("marked");
        var soon = await account.CreateTokenAsync("soon", workload.Id);
        var parked = await account.CreateTokenAsync("parked soon");
        var later = await account.CreateTokenAsync("later", workload.Id);
        var expiry = app.Time.GetUtcNow().AddHours(1).ToString("O");
        await account.PatchTokenAsync(soon.Id, new { expiresAt = expiry });
        await account.PatchTokenAsync(parked.Id, new { expiresAt = expiry });
        app.Time.Advance(TimeSpan.FromHours(1) + PassedExpiries.Settle + TimeSpan.FromSeconds(1));
        Assert.True(await app.Services.GetRequiredService<ExpiryMarker>().MarkAsync(TestContext.Current.CancellationToken) >= 0);
        await using (var connection = await app.Services.GetRequiredService<SqlDatabase>().OpenAsync(TestContext.Current.CancellationToken))
        {
            Assert.Equal(2L, await connection.ExecuteScalarAsync<long>(
                "SELECT COUNT(*) FROM query_tokens WHERE id IN (@soon, @parked, @later) AND passed_expiry = expires_at",
                new { soon = soon.Id, parked = parked.Id, later = later.Id }));
        }

        // Every list a usable, unassigned, expired or active page reads by days says what it said before the mark.
        var before = app.Time.GetUtcNow().AddDays(40).ToString("O");
        Assert.Equal(["later"], await NamesAsync(account, "?state=usable&sort=name"));
        Assert.Equal(["parked soon", "soon"], await NamesAsync(account, "?state=expired&sort=name"));
        Assert.Empty(await NamesAsync(account, "?state=unassigned&sort=lastUsedAt"));
        Assert.Equal(["later", "parked soon", "soon"], await NamesAsync(account, $"?status=active&expiresBefore={Uri.EscapeDataString(before)}&sort=name"));
        Assert.Equal(["soon"], await NamesAsync(account, $"?state=expired&workloadId={workload.Id}"));

        // Renewed, a marked token is usable again at once; reactivated after a cancel, a marked one is still expired.
        var renew = await account.Client.PostAsync($"/v1/tokens/{soon.Id}/renew", null);
        Assert.Equal(HttpStatusCode.OK, renew.StatusCode);
        await account.PatchTokenAsync(parked.Id, new { status = "cancelled" });
        await account.PatchTokenAsync(parked.Id, new { status = "active" });
        Assert.Equal(["later", "soon"], await NamesAsync(account, "?state=usable&sort=name"));
        Assert.Equal(["parked soon"], await NamesAsync(account, "?state=expired&sort=createdAt"));
        Assert.Equal(["later", "soon"], await NamesAsync(account, $"?state=usable&expiresBefore={Uri.EscapeDataString(before)}&sort=name"));
    }

    [Fact]
    public async Task Filters_select_exactly_the_matching_tokens()
    {
        var (account, a, b, _) = await SeedAsync();
        var other = await app.NewAccountAsync();
        await other.CreateTokenAsync("amy"); // never visible to the first account

        Assert.Equal(["cancelled one", "amy", "Zed"], await NamesAsync(account, $"?workloadId={a.Id}"));
        Assert.Equal(["short-lived", "Bob"], await NamesAsync(account, $"?workloadId={b.Id}"));
        Assert.Equal(["parked"], await NamesAsync(account, "?workloadId=none"));
        Assert.Equal(["cancelled one"], await NamesAsync(account, "?status=cancelled"));
        Assert.Equal(5, (await NamesAsync(account, "?status=active")).Length);
        Assert.Equal(["Bob", "amy", "Zed"], await NamesAsync(account, "?state=usable"));
        Assert.Equal(["parked"], await NamesAsync(account, "?state=unassigned"));
        Assert.Equal(["short-lived"], await NamesAsync(account, "?state=expired"));
        Assert.Equal(["cancelled one"], await NamesAsync(account, "?state=cancelled"));
        // Fewer than three characters: the name starts with them (ADR 0012); three or more: the name contains them.
        Assert.Equal(["amy"], await NamesAsync(account, "?q=AM"));
        Assert.Equal(["Zed"], await NamesAsync(account, "?q=z"));
        Assert.Empty(await NamesAsync(account, "?q=ED"));
        Assert.Equal(["cancelled one"], await NamesAsync(account, "?q=LLE"));
        Assert.Equal(["amy"], await NamesAsync(account, $"?workloadId={a.Id}&state=usable&q=a"));
    }

    [Fact]
    public async Task Created_and_expiry_bounds_are_inclusive_from_and_exclusive_to()
    {
        var (account, _, _, tokens) = await SeedAsync();
        var bob = tokens["Bob"].CreatedAt;
        string At(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O"));

        Assert.Equal(["Bob"], await NamesAsync(account, $"?createdFrom={At(bob)}&createdTo={At(bob.AddSeconds(1))}"));
        Assert.Equal(["amy", "Zed"], await NamesAsync(account, $"?createdTo={At(bob)}"));
        Assert.Equal(["short-lived"], await NamesAsync(account, $"?expiresBefore={At(app.Time.GetUtcNow())}"));
        var shortLived = tokens["short-lived"].ExpiresAt;
        Assert.Empty(await NamesAsync(account, $"?expiresBefore={At(shortLived)}"));
        Assert.Equal(["short-lived"], await NamesAsync(account, $"?expiresBefore={At(shortLived.AddMilliseconds(1))}"));
    }

    [Fact]
    public async Task Sorts_order_by_created_expiry_name_and_last_use()
    {
        var (account, _, _, _) = await SeedAsync();

        Assert.Equal(["short-lived", "cancelled one", "parked", "Bob", "amy", "Zed"], await NamesAsync(account, ""));
        Assert.Equal(await NamesAsync(account, ""), await NamesAsync(account, "?sort=createdAt"));
        Assert.Equal(["short-lived", "Zed", "amy", "Bob", "parked", "cancelled one"], await NamesAsync(account, "?sort=expiresAt"));
        Assert.Equal(["amy", "Bob", "cancelled one", "parked", "short-lived", "Zed"], await NamesAsync(account, "?sort=name"));
        var byUse = await NamesAsync(account, "?sort=lastUsedAt");
        Assert.Equal(["Bob", "amy"], byUse[..2]); // most recent first, never-used after
        Assert.Equal(6, byUse.Length);
    }

    [Theory]
    [InlineData("createdAt")]
    [InlineData("expiresAt")]
    [InlineData("name")]
    [InlineData("lastUsedAt")]
    public async Task Paging_visits_every_token_once_in_order_for_every_sort(string sort)
    {
        var account = await app.NewAccountAsync();
        for (var i = 0; i < 23; i++)
        {
            // Equal names and equal instants in runs of three: ties must break on id, not repeat or skip.
            await account.CreateTokenAsync($"user {i / 3}");
            if (i % 3 == 2)
            {
                app.Time.Advance(TimeSpan.FromSeconds(1));
            }
        }
        var expected = await NamesAsync(account, $"?sort={sort}&limit=200");
        var expectedIds = (await account.ListTokensAsync($"?sort={sort}&limit=200")).Items.Select(t => t.Id).ToArray();

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await account.ListTokensAsync($"?sort={sort}&limit=5" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.True(page.Items.Count <= 5);
            seen.AddRange(page.Items.Select(t => t.Id));
            cursor = page.NextCursor;
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(23, expected.Length);
        Assert.Equal(expectedIds, seen);
        Assert.Equal(5, pages);
    }

    [Fact]
    public async Task The_last_page_has_no_cursor_and_an_empty_account_lists_nothing()
    {
        var account = await app.NewAccountAsync();
        var empty = await account.ListTokensAsync();
        Assert.Empty(empty.Items);
        Assert.Null(empty.NextCursor);

        await account.CreateTokenAsync("a");
        await account.CreateTokenAsync("b");
        var exact = await account.ListTokensAsync("?limit=2");
        Assert.Equal(2, exact.Items.Count);
        Assert.Null(exact.NextCursor);
    }

    public static TheoryData<string, string> BadQueries => new()
    {
        { "?limit=0", "limit" },
        { "?limit=201", "limit" },
        { "?limit=-1", "limit" },
        { "?limit=abc", "limit" },
        { "?limit=99999999999999999999", "limit" },
        { "?sort=price", "sort" },
        { "?sort=CREATEDAT", "sort" },
        { "?state=active", "state" },
        { "?status=canceled", "status" },
        { "?createdFrom=yesterday", "createdFrom" },
        { "?createdTo=2026-12-01", "createdTo" },
        { "?expiresBefore=1700000000", "expiresBefore" },
        { "?workloadId=llama", "workloadId" },
        { "?token=tsq_x", "token" },
        { "?limit=5&limit=6", "limit" },
        { "?q=" + new string('q', 101), "q" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Bad_query_parameters_are_400_invalid_query_naming_the_parameter(string query, string parameter)
    {
        var account = await app.NewAccountAsync();

        var problem = await (await account.Client.GetAsync("/v1/tokens" + query)).ProblemAsync(HttpStatusCode.BadRequest, "invalid_query");

        Assert.Contains(parameter, problem.Errors!.Keys);
    }

    [Fact]
    public async Task Forged_or_foreign_cursors_are_400_invalid_cursor()
    {
        var account = await app.NewAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            await account.CreateTokenAsync($"t{i}");
        }
        var byName = (await account.ListTokensAsync("?sort=name&limit=1")).NextCursor!;
        var workloadCursor = await WorkloadCursorAsync(account);
        string[] forged =
        [
            "garbage", "%00", "AAAA", Convert.ToBase64String("c1|tokens|createdAt|tok_x|n1"u8.ToArray()),
            Convert.ToBase64String("c1|tokens|createdAt|tok_00000000000000000000000000000000|nabc"u8.ToArray()),
            new string('A', 3000),
        ];
        foreach (var cursor in forged)
        {
            await (await account.Client.GetAsync($"/v1/tokens?cursor={Uri.EscapeDataString(cursor)}")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        }
        // A cursor from another sort order, or from another list, is refused too.
        await (await account.Client.GetAsync($"/v1/tokens?sort=createdAt&cursor={byName}")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await account.Client.GetAsync($"/v1/tokens?cursor={workloadCursor}")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        // The genuine one works.
        Assert.Single((await account.ListTokensAsync($"?sort=name&limit=1&cursor={byName}")).Items);
    }

    [Fact]
    public async Task Another_accounts_cursor_reveals_nothing_of_that_account()
    {
        var first = await app.NewAccountAsync();
        var second = await app.NewAccountAsync();
        for (var i = 0; i < 3; i++)
        {
            await first.CreateTokenAsync($"secret-project-{i}");
        }
        var cursor = (await first.ListTokensAsync("?limit=1")).NextCursor!;

        var page = await second.ListTokensAsync($"?limit=1&cursor={cursor}");

        Assert.Empty(page.Items);
    }

    private static async Task<string> WorkloadCursorAsync(TestAccount account)
    {
        await account.CreateWorkloadAsync("w1");
        await account.CreateWorkloadAsync("w2");
        return (await (await account.Client.GetAsync("/v1/workloads?limit=1")).ReadAsync<PageResponse<WorkloadResponse>>()).NextCursor!;
    }
}
