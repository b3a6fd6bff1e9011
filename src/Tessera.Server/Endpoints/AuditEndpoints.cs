using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Audit;
using Tessera.Core.Storage;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/audit</c>: the account's audit trail, newest first.</summary>
public static class AuditEndpoints
{
    private static readonly QueryContract ListQuery = new(
        QueryParameter.Text("objectId", "Only entries about this object (token, workload, license key or account id)."),
        // AuditService checks the value (its 400 names the same list); the contract only shows it as an enum.
        new QueryParameter("action", QueryParameterKind.Text, "Only entries with this action.", [.. AuditActions.All]),
        QueryParameter.Text("actorId", "Only entries made by this actor (license key id or console user)."),
        QueryParameter.Instant("from", "At or after this instant (inclusive; RFC 3339 with offset)."),
        QueryParameter.Instant("to", "Before this instant (exclusive; RFC 3339 with offset)."),
        QueryParameter.Limit(PageRequest.DefaultLimit, PageRequest.MaxLimit),
        QueryParameter.Cursor);

    public static RouteGroupBuilder MapAuditEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/audit", ListAsync).WithName("ListAuditEntries").WithTags("Audit")
            .WithSummary("The account's audit trail, newest first: filters objectId, action, actorId, from (inclusive), to (exclusive); limit; cursor")
            .WithDescription("Every change (tokens, workloads, license keys, the account) and console sign-in, with the actor, the client IP " +
                             "and the changed fields before and after. Entries are kept for Tessera:Audit:Retention (default 365 days); " +
                             "a deleted object keeps its history.")
            .WithQuery(ListQuery).ProducesProblem(400).RequireScope(Scopes.AuditRead);
        return v1;
    }

    private static async Task<Ok<PageResponse<AuditEntryResponse>>> ListAsync(HttpRequest request, ClaimsPrincipal user, AuditService audit,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, ListQuery);
        var filter = new AuditQuery
        {
            ObjectId = query.String("objectId"),
            Action = query.String("action"),
            ActorId = query.String("actorId"),
            From = query.Instant("from"),
            To = query.Instant("to"),
        };
        var page = new PageRequest(query.Int("limit", PageRequest.DefaultLimit), query.String("cursor"));
        query.ThrowIfInvalid();
        var (items, next) = await audit.ListAsync(user.Caller(), filter, page, cancellationToken);
        return TypedResults.Ok(new PageResponse<AuditEntryResponse>([.. items.Select(Responses.AuditEntry)], next));
    }
}
