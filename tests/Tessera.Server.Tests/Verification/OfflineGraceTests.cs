using System.Net;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>
/// Tessera:Verification:OfflineGrace: a token remembered as usable rides out a short outage, and only that. The
/// windows are crossed by advancing the server's clock (ADR 0023), not waited out.
/// </summary>
public sealed class OfflineGraceTests(OfflineGraceTests.Server fixture) : IClassFixture<OfflineGraceTests.Server>
{
    private static readonly TimeSpan TrustWindow = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(5);

    // Far more than the real time a test step takes (the server's timestamps also move with real time), far less than the windows.
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(30);

    public sealed class Server() : ControlledApp(new()
    {
        ["Tessera:Verification:FeedInterval"] = "00:00:00.100",
        ["Tessera:Verification:TrustWindow"] = TrustWindow.ToString(),
        ["Tessera:Verification:OfflineGrace"] = Grace.ToString(),
    });

    [Fact]
    public async Task A_remembered_usable_token_passes_during_the_grace_and_is_refused_after_it_while_others_fail_closed()
    {
        var (store, app) = (fixture.Store, fixture.App);
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var usable = await account.CreateTokenAsync("alice", workload.Id);
        var cancelled = await account.CreateTokenAsync("bob", workload.Id);
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });
        await app.WaitForChangeFeedAsync();
        Assert.Equal("ok", await app.CodeAsync(usable.Token, workload.Id));
        Assert.Equal("token_cancelled", await app.CodeAsync(cancelled.Token, workload.Id));

        store.Unreachable = true;
        try
        {
            Assert.Equal("ok", await app.CodeAsync(usable.Token, workload.Id));
            await app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken)).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.ServiceUnavailable);

            // Past the trust window, memory is not trusted and the store does not answer: only the grace lets the token pass.
            app.Time.Advance(TrustWindow + Grace - Margin);
            Assert.Equal("ok", await app.CodeAsync(usable.Token, workload.Id));
            await app.ClientWith(cancelled.Token).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.ServiceUnavailable);

            // Memory was last synced before the outage began: once trust window + grace are over, the token is refused too.
            app.Time.Advance(Margin + TimeSpan.FromSeconds(1));
            var refused = await app.ClientWith(usable.Token).GetAsync(QuerySide.AuthPath(workload.Id));
            await refused.ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            await app.ClientWith(cancelled.Token).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            store.Unreachable = false;
        }
    }
}
