using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>
/// Two Tessera servers on one database: a change made through one is refused by the other within one
/// second, although the other remembered the token (API.md: "impossible to trick into accepting a
/// token that was cancelled"). The bound is the product's; the feed is read every 250 ms.
/// </summary>
public sealed class CrossServerTests(CrossServerTests.Servers servers) : IClassFixture<CrossServerTests.Servers>
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(1);

    public sealed class Servers : IAsyncDisposable
    {
        public TesseraApp A { get; } = new();

        public TesseraApp B { get; }

        public Servers() => B = new TesseraApp { DatabasePath = A.DatabasePath };

        public async ValueTask DisposeAsync()
        {
            await B.DisposeAsync();
            await A.DisposeAsync();
        }
    }

    private async Task<(TestAccount OnB, string WorkloadId, Contracts.CreatedTokenResponse Token)> RememberedOnAAsync()
    {
        var onA = await servers.A.NewAccountAsync();
        var onB = new TestAccount(onA.Id, onA.LicenseKey, servers.B.ClientWith(onA.LicenseKey));
        var workload = await onA.CreateWorkloadAsync("llama-3");
        var token = await onA.CreateTokenAsync("alice", workload.Id);
        Assert.Equal("ok", await servers.A.CodeAsync(token.Token, workload.Id));
        Assert.Equal("ok", await servers.B.CodeAsync(token.Token, workload.Id));
        return (onB, workload.Id, token);
    }

    [Fact]
    public async Task A_cancel_through_one_server_is_refused_by_the_other_within_a_second()
    {
        var (onB, workloadId, token) = await RememberedOnAAsync();

        await onB.PatchTokenAsync(token.Id, new { status = "cancelled" });

        Assert.Equal("token_cancelled", await servers.B.CodeAsync(token.Token, workloadId));
        Assert.InRange(await servers.A.TimeUntilCodeAsync(token.Token, workloadId, "token_cancelled", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
    }

    [Fact]
    public async Task A_delete_through_one_server_is_refused_by_the_other_within_a_second()
    {
        var (onB, workloadId, token) = await RememberedOnAAsync();

        await onB.Client.DeleteAsync($"/v1/tokens/{token.Id}").EnsureAsync(HttpStatusCode.NoContent);

        Assert.InRange(await servers.A.TimeUntilCodeAsync(token.Token, workloadId, "token_unknown", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
    }

    [Fact]
    public async Task Unassigning_or_deleting_the_workload_through_one_server_applies_on_the_other_within_a_second()
    {
        var (onB, workloadId, token) = await RememberedOnAAsync();
        var second = await onB.CreateTokenAsync("bob", workloadId);
        Assert.Equal("ok", await servers.A.CodeAsync(second.Token, workloadId));

        await onB.PatchTokenAsync(second.Id, new { workloadId = (string?)null });
        Assert.InRange(await servers.A.TimeUntilCodeAsync(second.Token, workloadId, "token_unassigned", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);

        await onB.Client.DeleteAsync($"/v1/workloads/{workloadId}").EnsureAsync(HttpStatusCode.NoContent);
        Assert.InRange(await servers.A.TimeUntilCodeAsync(token.Token, workloadId, "token_unassigned", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
    }

    [Fact]
    public async Task Moving_a_token_to_another_workload_through_one_server_closes_the_first_workloads_door_on_the_other_within_a_second()
    {
        var (onB, workloadId, token) = await RememberedOnAAsync();
        var other = await onB.CreateWorkloadAsync("mistral");

        await onB.PatchTokenAsync(token.Id, new { workloadId = other.Id });

        Assert.InRange(await servers.A.TimeUntilCodeAsync(token.Token, workloadId, "token_wrong_workload", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
        Assert.Equal(("ok", other.Id), await servers.A.AuthAsync(token.Token, other.Id));
    }

    [Fact]
    public async Task An_expiry_moved_through_one_server_applies_on_the_other()
    {
        var (onB, workloadId, token) = await RememberedOnAAsync();
        var soon = servers.A.Time.GetUtcNow().AddMinutes(5);
        servers.B.Time.SetUtcNow(servers.A.Time.GetUtcNow());

        await onB.PatchTokenAsync(token.Id, new { expiresAt = soon });
        servers.A.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.InRange(await servers.A.TimeUntilCodeAsync(token.Token, workloadId, "token_expired", TimeSpan.FromSeconds(5)), TimeSpan.Zero, Bound);
    }

    [Fact]
    public async Task A_token_created_through_one_server_passes_on_the_other_at_once()
    {
        var onA = await servers.A.NewAccountAsync();
        var onB = new TestAccount(onA.Id, onA.LicenseKey, servers.B.ClientWith(onA.LicenseKey));
        var workload = await onB.CreateWorkloadAsync("llama-3");

        var token = await onB.CreateTokenAsync("alice", workload.Id);

        Assert.Equal("ok", await servers.A.CodeAsync(token.Token, workload.Id));
    }
}
