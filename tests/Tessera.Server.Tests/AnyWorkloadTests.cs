using System.Net;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>
/// Tessera:Verification:AllowAnyWorkload=true (documented as unsafe): a gateway that names no workload lets any
/// usable token through, but a gateway that does name one is still held to it.
/// </summary>
public abstract class AnyWorkloadTests(TesseraApp app)
{
    private const string Setting = "Tessera:Verification:AllowAnyWorkload";

    public sealed class SqliteServer : IAsyncDisposable
    {
        public TesseraApp App { get; } = new() { Settings = { [Setting] = "true" } };

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public sealed class PostgresServer : IAsyncLifetime
    {
        public PostgresTesseraApp App { get; } = new() { Settings = { [Setting] = "true" } };

        public ValueTask InitializeAsync() => App.InitializeAsync();

        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    public sealed class OnSqlite(SqliteServer server) : AnyWorkloadTests(server.App), IClassFixture<SqliteServer>;

    public sealed class OnPostgres(PostgresServer server) : AnyWorkloadTests(server.App.Require()), IClassFixture<PostgresServer>;

    [Fact]
    public async Task Without_a_named_workload_a_usable_token_of_any_workload_passes_but_a_named_workload_is_still_checked()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var other = await account.CreateWorkloadAsync("mistral");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        var client = app.ClientWith(token.Token);

        var unnamed = await client.GetAsync("/v1/auth");
        Assert.Equal(HttpStatusCode.NoContent, unnamed.StatusCode);
        Assert.Equal(token.Id, unnamed.Headers.GetValues("X-Tessera-Token-Id").Single());
        Assert.Equal(workload.Id, unnamed.Headers.GetValues("X-Tessera-Workload-Id").Single());
        Assert.Equal(HttpStatusCode.NoContent, (await client.GetAsync("/v1/auth?workload=")).StatusCode);

        Assert.Equal(("ok", workload.Id), await app.AuthAsync(token.Token, workload.Id));
        var named = await client.GetAsync(QuerySide.AuthPath(other.Id));
        await named.ProblemAsync(HttpStatusCode.Forbidden, "token_wrong_workload");
        Assert.Equal("Bearer error=\"insufficient_scope\"", named.Headers.WwwAuthenticate.ToString());
        Assert.Equal("token_wrong_workload", await app.CodeAsync(token.Token, QuerySide.NoSuchWorkloadId));
        await (await client.GetAsync(QuerySide.AuthPath("llama-3"))).ProblemAsync(HttpStatusCode.BadRequest, "workload_malformed");
        await (await client.GetAsync($"/v1/auth?workload={workload.Id}&workload={other.Id}")).ProblemAsync(HttpStatusCode.BadRequest, "workload_conflict");

        // Refusals are what they always were.
        await account.PatchTokenAsync(token.Id, new { status = "cancelled" });
        await (await client.GetAsync("/v1/auth")).ProblemAsync(HttpStatusCode.Unauthorized, "token_cancelled");
    }
}
