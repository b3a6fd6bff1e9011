using System.Net;
using Tessera.Contracts;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests;

/// <summary>API.md §3, workloads: create, list, read, rename/describe, delete, and their refusals.</summary>
public abstract class WorkloadApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : WorkloadApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : WorkloadApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task Create_returns_the_workload_with_location_etag_and_zero_counts()
    {
        var account = await app.NewAccountAsync();

        var response = await account.Client.PostJsonAsync("/v1/workloads", new CreateWorkloadRequest(" llama-3 ", "Chat model"));
        var workload = await response.ReadAsync<WorkloadResponse>(HttpStatusCode.Created);

        Assert.StartsWith("wl_", workload.Id, StringComparison.Ordinal);
        Assert.Equal(("llama-3", "Chat model", 0L, 0L, 1L), (workload.Name, workload.Description, workload.TokenCount, workload.UsableTokenCount, workload.Version));
        Assert.Equal(app.Time.GetUtcNow(), workload.CreatedAt);
        Assert.Equal($"/v1/workloads/{workload.Id}", response.Headers.Location?.OriginalString);
        Assert.Equal("\"1\"", response.Headers.ETag?.ToString());
        Assert.Equal(workload, await (await account.Client.GetAsync($"/v1/workloads/{workload.Id}")).ReadAsync<WorkloadResponse>());
    }

    [Fact]
    public async Task Counts_follow_the_tokens_bound_to_the_workload()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        await account.CreateTokenAsync("a", workload.Id);
        var cancelled = await account.CreateTokenAsync("b", workload.Id);
        await account.CreateTokenAsync("c"); // unassigned: not counted
        await account.PatchTokenAsync(cancelled.Id, new { status = "cancelled" });

        var read = await (await account.Client.GetAsync($"/v1/workloads/{workload.Id}")).ReadAsync<WorkloadResponse>();

        Assert.Equal((2L, 1L), (read.TokenCount, read.UsableTokenCount));
    }

    [Fact]
    public async Task Names_are_unique_per_account_case_insensitively()
    {
        var account = await app.NewAccountAsync();
        var llama = await account.CreateWorkloadAsync("Llama-3");
        var other = await app.NewAccountAsync();

        await (await account.Client.PostJsonAsync("/v1/workloads", new { name = "LLAMA-3" })).ProblemAsync(HttpStatusCode.Conflict, "workload_name_taken");
        Assert.Equal("llama-3", (await other.CreateWorkloadAsync("llama-3")).Name); // another account may use it
        var mistral = await account.CreateWorkloadAsync("mistral");
        await (await account.Client.PatchJsonAsync($"/v1/workloads/{mistral.Id}", new { name = "llama-3" })).ProblemAsync(HttpStatusCode.Conflict, "workload_name_taken");
        // Renaming to a different case of its own name is fine.
        var recased = await (await account.Client.PatchJsonAsync($"/v1/workloads/{llama.Id}", new { name = "LLAMA-3" })).ReadAsync<WorkloadResponse>();
        Assert.Equal("LLAMA-3", recased.Name);
    }

    [Theory]
    [InlineData("""{}""", "name")]
    [InlineData("""{"name":""}""", "name")]
    [InlineData("""{"name":42}""", "name")]
    [InlineData("""{"name":"a\nb"}""", "name")]
    [InlineData("""{"name":"ok","description":false}""", "description")]
    [InlineData("""{"name":"ok","tokens":[]}""", "tokens")]
    public async Task Invalid_creations_are_422_naming_the_field(string body, string field)
    {
        var account = await app.NewAccountAsync();

        var problem = await (await account.Client.SendRawAsync(HttpMethod.Post, "/v1/workloads", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");

        Assert.Contains(field, problem.Errors!.Keys);
        Assert.Empty((await (await account.Client.GetAsync("/v1/workloads")).ReadAsync<PageResponse<WorkloadResponse>>()).Items);
    }

    [Fact]
    public async Task Patch_renames_and_describes_with_optional_if_match()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3", "old");

        var renamed = await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { name = "llama-3.1" }, ifMatch: "\"1\"")).ReadAsync<WorkloadResponse>();
        Assert.Equal(("llama-3.1", "old", 2L), (renamed.Name, renamed.Description, renamed.Version));

        await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { description = "new" }, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        var described = await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new Dictionary<string, object?> { ["description"] = null }))
            .ReadAsync<WorkloadResponse>();
        Assert.Equal(("llama-3.1", ""), (described.Name, described.Description));
        await (await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new Dictionary<string, object?> { ["name"] = null }))
            .ProblemAsync(HttpStatusCode.UnprocessableEntity, "validation_failed");
    }

    [Fact]
    public async Task If_match_guards_delete_as_it_guards_a_token_delete()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);
        await account.Client.PatchJsonAsync($"/v1/workloads/{workload.Id}", new { description = "v2" }).EnsureAsync(HttpStatusCode.OK);

        await (await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/workloads/{workload.Id}", null, ifMatch: "\"1\""))
            .ProblemAsync(HttpStatusCode.PreconditionFailed, "precondition_failed");
        // Nothing happened: the workload is there, its token still bound to it and unchanged.
        var kept = await (await account.Client.GetAsync($"/v1/workloads/{workload.Id}")).ReadAsync<WorkloadResponse>();
        Assert.Equal(("v2", 2L, 1L), (kept.Description, kept.Version, kept.TokenCount));
        var bound = await account.GetTokenAsync(token.Id);
        Assert.Equal((workload.Id, 1L), (bound.WorkloadId, bound.Version));
        await (await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/workloads/{workload.Id}", null, ifMatch: "W/\"2\""))
            .ProblemAsync(HttpStatusCode.BadRequest, "invalid_if_match");

        await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/workloads/{workload.Id}", null, ifMatch: "\"2\"").EnsureAsync(HttpStatusCode.NoContent);
        await (await account.Client.GetAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.SendRawAsync(HttpMethod.Delete, $"/v1/workloads/{workload.Id}", null, ifMatch: "\"2\""))
            .ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        Assert.Null((await account.GetTokenAsync(token.Id)).WorkloadId);
    }

    [Fact]
    public async Task Delete_unassigns_its_tokens_which_survive_and_can_be_linked_again()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("llama-3");
        var token = await account.CreateTokenAsync("alice", workload.Id);

        await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}").EnsureAsync(HttpStatusCode.NoContent);

        await (await account.Client.GetAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.DeleteAsync($"/v1/workloads/{workload.Id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        var orphan = await account.GetTokenAsync(token.Id);
        Assert.Equal((null, "unassigned", 2L), (orphan.WorkloadId, orphan.State, orphan.Version));
        var again = await account.CreateWorkloadAsync("llama-3"); // the name is free again
        Assert.Equal(again.Id, (await account.PatchTokenAsync(token.Id, new { workloadId = again.Id })).WorkloadId);
    }

    [Fact]
    public async Task List_is_by_name_and_pages_with_a_cursor()
    {
        var account = await app.NewAccountAsync();
        foreach (var name in new[] { "delta", "Alpha", "charlie", "bravo", "echo" })
        {
            await account.CreateWorkloadAsync(name);
        }

        var names = new List<string>();
        string? cursor = null;
        do
        {
            var page = await (await account.Client.GetAsync("/v1/workloads?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"))).ReadAsync<PageResponse<WorkloadResponse>>();
            names.AddRange(page.Items.Select(w => w.Name));
            cursor = page.NextCursor;
        }
        while (cursor is not null);

        Assert.Equal(["Alpha", "bravo", "charlie", "delta", "echo"], names);
        await (await account.Client.GetAsync("/v1/workloads?limit=0")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
        await (await account.Client.GetAsync("/v1/workloads?cursor=nope")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_cursor");
        await (await account.Client.GetAsync("/v1/workloads?name=x")).ProblemAsync(HttpStatusCode.BadRequest, "invalid_query");
    }

    [Theory]
    [InlineData("wl_00000000000000000000000000000000")]
    [InlineData("tok_00000000000000000000000000000000")]
    [InlineData("x")]
    public async Task Unknown_workload_ids_are_404_for_every_verb(string id)
    {
        var account = await app.NewAccountAsync();
        await (await account.Client.GetAsync($"/v1/workloads/{id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.PatchJsonAsync($"/v1/workloads/{id}", new { name = "n" })).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
        await (await account.Client.DeleteAsync($"/v1/workloads/{id}")).ProblemAsync(HttpStatusCode.NotFound, "workload_not_found");
    }
}
