using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>
/// Every change made through this server applies to the very next verification, although the token was
/// already remembered in memory by the verification before it (each test first proves it passes).
/// </summary>
[Collection(ProcessWideMetrics.Name)]
public sealed class MemoryRevocationTests(TesseraApp app) : IClassFixture<TesseraApp>
{
    private async Task<(TestAccount Account, WorkloadResponse Workload, CreatedTokenResponse Token)> RememberedTokenAsync()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        Assert.Equal(("ok", workload.Id), await app.AuthAsync(token.Token, workload.Id));
        Assert.Equal(("ok", workload.Id), await app.AuthAsync(token.Token, workload.Id)); // the second answer came from memory
        return (account, workload, token);
    }

    [Fact]
    public async Task Cancel_applies_to_the_next_verification_and_reactivate_too()
    {
        var (account, workload, token) = await RememberedTokenAsync();

        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        Assert.Equal("token_cancelled", await app.CodeAsync(token.Token, workload.Id));

        await account.PatchTokenAsync(token.Id, new { status = "active" });
        Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
    }

    [Fact]
    public async Task Delete_applies_to_the_next_verification()
    {
        var (account, workload, token) = await RememberedTokenAsync();

        await account.Client.DeleteAsync($"/v1/tokens/{token.Id}").EnsureAsync(HttpStatusCode.NoContent);

        Assert.Equal("token_unknown", await app.CodeAsync(token.Token, workload.Id));
    }

    [Fact]
    public async Task Unassign_and_reassign_apply_to_the_next_verification()
    {
        var (account, workload, token) = await RememberedTokenAsync();
        var other = await account.CreateWorkloadAsync("mistral");

        await account.PatchTokenAsync(token.Id, new { workloadId = (string?)null });
        Assert.Equal("token_unassigned", await app.CodeAsync(token.Token, workload.Id));

        await account.PatchTokenAsync(token.Id, new { workloadId = other.Id });
        Assert.Equal(("ok", other.Id), await app.AuthAsync(token.Token, other.Id));
        // The gateway of the workload it left refuses it from the very next call, although memory had it as passing there.
        Assert.Equal("token_wrong_workload", await app.CodeAsync(token.Token, workload.Id));
    }

    [Fact]
    public async Task A_shortened_expiry_applies_as_the_clock_passes_it_and_renew_brings_the_token_back()
    {
        var (account, workload, token) = await RememberedTokenAsync();
        var soon = app.Time.GetUtcNow().AddMinutes(1);

        await account.PatchTokenAsync(token.Id, new { expiresAt = soon });
        Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
        app.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal("token_expired", await app.CodeAsync(token.Token, workload.Id));

        await account.Client.PostAsync($"/v1/tokens/{token.Id}/renew", null).EnsureAsync(HttpStatusCode.OK);
        Assert.Equal("ok", await app.CodeAsync(token.Token, workload.Id));
    }

    [Fact]
    public async Task Renaming_the_token_or_its_workload_shows_in_the_next_handshake()
    {
        var (account, workload, token) = await RememberedTokenAsync();

        await account.PatchTokenAsync(token.Id, new { name = "alice (team b)" });
        await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "llama-3.1" }).EnsureAsync(HttpStatusCode.OK);

        var handshake = await app.HandshakeOkAsync(token.Token);
        Assert.Equal("alice (team b)", handshake.TokenName);
        Assert.Equal(new WorkloadReference(workload.Id, "llama-3.1"), handshake.Workload);
    }

    [Fact]
    public async Task Deleting_the_workload_leaves_its_remembered_tokens_unassigned_at_once()
    {
        var (account, workload, token) = await RememberedTokenAsync();

        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}").EnsureAsync(HttpStatusCode.NoContent);

        Assert.Equal("token_unassigned", await app.CodeAsync(token.Token, workload.Id));
    }

    [Fact]
    public async Task Metrics_count_verifications_by_result_and_memory_hits()
    {
        var (_, workload, token) = await RememberedTokenAsync();
        await app.CodeAsync("tsq_not-even-well-formed", workload.Id);

        var metrics = await app.ScrapeMetricsAsync();

        Assert.Matches("tessera_verifications_total\\{[^}]*result=\"ok\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("tessera_verifications_total\\{[^}]*result=\"token_malformed\"[^}]*\\} [1-9]", metrics);
        Assert.Matches("tessera_verification_memory_hits_total(\\{[^}]*\\})? [1-9]", metrics);
        Assert.Contains("tessera_verification_duration_seconds_bucket", metrics, StringComparison.Ordinal);
        // A gauge's value is per server; test hosts share one process, so only its presence is checked here.
        Assert.Matches("tessera_known_tokens(\\{[^}]*\\})? [0-9]", metrics);
        Assert.Contains("tessera_usage_flush_lag_seconds", metrics, StringComparison.Ordinal);
        Assert.Matches("tessera_database_commits_total(\\{[^}]*\\})? [1-9]", metrics);
        Assert.Matches("tessera_database_committed_writes_total(\\{[^}]*\\})? [1-9]", metrics);
        Assert.DoesNotContain(token.Token, metrics, StringComparison.Ordinal);
    }
}
