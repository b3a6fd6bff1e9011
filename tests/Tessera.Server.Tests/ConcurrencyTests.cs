using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>Concurrent writers: If-Match lets exactly one win; without it no field is lost.</summary>
public abstract class ConcurrencyTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : ConcurrencyTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : ConcurrencyTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task Of_concurrent_patches_with_the_same_if_match_exactly_one_wins()
    {
        var account = await app.NewAccountAsync();
        for (var round = 0; round < 5; round++)
        {
            var token = await account.CreateTokenAsync("race");
            var attempts = Enumerable.Range(0, 8).Select(i =>
                account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", new { name = $"writer {i}" }, ifMatch: "\"1\""));

            var responses = await Task.WhenAll(attempts);

            Assert.Single(responses, r => r.StatusCode == HttpStatusCode.OK);
            Assert.Equal(7, responses.Count(r => r.StatusCode == HttpStatusCode.PreconditionFailed));
            var winner = await responses.Single(r => r.StatusCode == HttpStatusCode.OK).ReadAsync<TokenResponse>();
            var stored = await account.GetTokenAsync(token.Id);
            Assert.Equal((winner.Name, 2L), (stored.Name, stored.Version));
        }
    }

    [Fact]
    public async Task Concurrent_patches_of_different_fields_without_if_match_lose_nothing()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("start");
        var soon = app.Time.GetUtcNow().AddDays(2);

        var patches = new object[]
        {
            new { name = "renamed" }, new { note = "noted" }, new { workloadId = workload.Id }, new { status = "cancelled" },
            new { expiresAt = soon.ToString("O") },
        };
        await Task.WhenAll(patches.Select(p => account.Client.PatchJsonAsync($"/v1/tokens/{token.Id}", p).EnsureAsync(HttpStatusCode.OK)));

        var stored = await account.GetTokenAsync(token.Id);
        Assert.Equal(("renamed", "noted", workload.Id, "cancelled", soon), (stored.Name, stored.Note, stored.WorkloadId, stored.Status, stored.ExpiresAt));
        Assert.Equal(1 + patches.Length, stored.Version);
    }

    [Fact]
    public async Task Concurrent_creations_all_land_with_distinct_ids_and_secrets()
    {
        var account = await app.NewAccountAsync();

        var created = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => account.CreateTokenAsync($"bulk {i}")));

        Assert.Equal(40, created.Select(t => t.Id).Distinct().Count());
        Assert.Equal(40, created.Select(t => t.Token).Distinct().Count());
        Assert.Equal(40, (await account.ListTokensAsync("?limit=200")).Items.Count);
    }
}
