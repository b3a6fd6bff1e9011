using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Leaks;

/// <summary><c>Tessera:Leaks:Action=report</c>: a reported token keeps working; the report is marked and recorded.</summary>
public abstract class ReportOnlyLeakTests(LeakServer server)
{
    public sealed class OnSqlite(LeakServer.SqliteReportOnly server) : ReportOnlyLeakTests(server), IClassFixture<LeakServer.SqliteReportOnly>;

    public sealed class OnPostgres(LeakServer.PostgresReportOnly server) : ReportOnlyLeakTests(server.Require()), IClassFixture<LeakServer.PostgresReportOnly>;

    [Fact]
    public async Task A_reported_token_stays_active_and_usable_with_the_marker_and_a_token_leaked_entry()
    {
        var app = server.App;
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        const string url = "https://github.com/someone/app/commit/abc";
        app.Time.Advance(TimeSpan.FromMinutes(1));

        var answer = await (await server.PostSignedAsync(LeakServer.Batch((token.Token, url)))).ReadAsync<List<GitHubLeakVerdict>>();

        Assert.Equal("true_positive", Assert.Single(answer).Label);
        var after = await account.GetTokenAsync(token.Id);
        Assert.Equal(("active", "usable"), (after.Status, after.State));
        Assert.Equal(new TokenLeakResponse(app.Time.GetUtcNow(), url, "content"), after.Leak);
        Assert.Equal(HttpStatusCode.OK, (await app.HandshakeAsync(token.Token)).StatusCode);
        var history = (await account.AuditAsync($"?objectId={token.Id}")).Items;
        Assert.Equal(["token.leaked", "token.created"], history.Select(e => e.Action));
        Assert.Equal("report", history[0].After!.Value.GetProperty("action").GetString());

        var api = await (await account.Client.PostJsonAsync("/v1/leaks", new LeakReportRequest(token.Token, url + "#2"))).ReadAsync<LeakReportResponse>();
        Assert.Equal(("true_positive", "report"), (api.Label, api.Action));
        Assert.Equal("active", (await account.GetTokenAsync(token.Id)).Status);
    }
}
