using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/workloads</c>.</summary>
public static class WorkloadEndpoints
{
    private static readonly QueryContract ListQuery = new(QueryParameter.Limit(PageRequest.DefaultLimit, PageRequest.MaxLimit), QueryParameter.Cursor);

    public static RouteGroupBuilder MapWorkloadEndpoints(this RouteGroupBuilder v1)
    {
        var workloads = v1.MapGroup("/workloads").WithTags("Workloads");
        workloads.MapPost("", CreateAsync).WithName("CreateWorkload").WithSummary("Create a workload")
            .ProducesProblem(409).ProducesProblem(422).RequireScope(Scopes.WorkloadsWrite);
        workloads.MapGet("", ListAsync).WithName("ListWorkloads").WithSummary("List workloads by name, paged (limit 1–200, cursor)").WithQuery(ListQuery).ProducesProblem(400)
            .RequireScope(Scopes.WorkloadsRead);
        workloads.MapGet("/{id}", GetAsync).WithName("GetWorkload").WithSummary("Read a workload").ProducesProblem(404).RequireScope(Scopes.WorkloadsRead);
        workloads.MapPatch("/{id}", UpdateAsync).WithName("UpdateWorkload").WithSummary("Rename or describe a workload (JSON merge patch; optional If-Match)")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).ProducesProblem(422).RequireScope(Scopes.WorkloadsWrite);
        workloads.MapDelete("/{id}", DeleteAsync).WithName("DeleteWorkload").WithSummary("Delete a workload; its tokens become unassigned (optional If-Match)")
            .ProducesProblem(404).ProducesProblem(412)
            .RequireScope(Scopes.WorkloadsWrite);
        return v1;
    }

    private static async Task<Created<WorkloadResponse>> CreateAsync(JsonRequest<CreateWorkloadRequest> body, HttpResponse response, ClaimsPrincipal user,
        WorkloadService workloads, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var view = await workloads.CreateAsync(user.Caller(), request.Name, request.Description, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(view.Workload.Version);
        return TypedResults.Created($"/v1/workloads/{view.Workload.Id}", Responses.Workload(view));
    }

    private static async Task<Ok<PageResponse<WorkloadResponse>>> ListAsync(HttpRequest request, ClaimsPrincipal user, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, ListQuery);
        var page = new PageRequest(query.Int("limit", PageRequest.DefaultLimit), query.String("cursor"));
        query.ThrowIfInvalid();
        var (items, next) = await workloads.ListAsync(user.Caller(), page, cancellationToken);
        return TypedResults.Ok(new PageResponse<WorkloadResponse>([.. items.Select(Responses.Workload)], next));
    }

    private static async Task<Ok<WorkloadResponse>> GetAsync(string id, HttpResponse response, ClaimsPrincipal user, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var view = await workloads.GetAsync(user.Caller(), id, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(view.Workload.Version);
        return TypedResults.Ok(Responses.Workload(view));
    }

    private static async Task<Ok<WorkloadResponse>> UpdateAsync(string id, JsonRequest<UpdateWorkloadRequest> body, HttpRequest request, HttpResponse response,
        ClaimsPrincipal user, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var ifMatch = IfMatch.Version(request);
        var patch = new WorkloadPatch { Name = body.Value.Name, Description = body.Value.Description };
        var view = await workloads.UpdateAsync(user.Caller(), id, patch, ifMatch, cancellationToken);
        response.Headers.ETag = IfMatch.ETag(view.Workload.Version);
        return TypedResults.Ok(Responses.Workload(view));
    }

    private static async Task<NoContent> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, WorkloadService workloads, CancellationToken cancellationToken)
    {
        await workloads.DeleteAsync(user.Caller(), id, IfMatch.Version(request), cancellationToken);
        return TypedResults.NoContent();
    }
}
