using System.Net;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Verification;

/// <summary>Tessera:Verification:OfflineGrace: a token remembered as usable rides out a short outage, and only that.</summary>
public sealed class OfflineGraceTests(OfflineGraceTests.Server fixture) : IClassFixture<OfflineGraceTests.Server>
{
    private static readonly TimeSpan TrustWindow = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(2);

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
        var outage = TimeProvider.System.GetTimestamp();
        try
        {
            Assert.Equal("ok", await app.CodeAsync(usable.Token, workload.Id));
            await app.ClientWith(SecretFormat.Generate(SecretKind.QueryToken)).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.ServiceUnavailable);

            var (refused, _) = await Poll.UntilAsync(() => app.ClientWith(usable.Token).GetAsync(QuerySide.AuthPath(workload.Id)),
                r => r.StatusCode != HttpStatusCode.NoContent);
            await refused.ProblemAsync(HttpStatusCode.ServiceUnavailable, "service_unavailable");
            // Memory was last synced before the outage began, so the refusal cannot come before trust window + grace.
            Assert.True(TimeProvider.System.GetElapsedTime(outage) >= Grace, "refused before the configured grace ran out");
            await app.ClientWith(cancelled.Token).GetAsync(QuerySide.AuthPath(workload.Id)).EnsureAsync(HttpStatusCode.ServiceUnavailable);
        }
        finally
        {
            store.Unreachable = false;
        }
    }
}
