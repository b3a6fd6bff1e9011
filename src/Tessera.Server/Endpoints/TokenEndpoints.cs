using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Webhooks;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/tokens</c> and <c>/v1/workloads/{id}/tokens</c>.</summary>
public static class TokenEndpoints
{
    private static readonly QueryContract ListQuery = new(
        QueryParameter.Text("workloadId", "Only tokens bound to this workload; 'none' for unassigned tokens."),
        QueryParameter.Choice("status", "Stored status.", "active", "cancelled"),
        QueryParameter.Choice("state",
            "Effective state now: usable, unassigned (active, no workload), expired, or cancelled; " +
            "expiring: usable and expiring within the first expiry warning (Tessera:Webhooks:ExpiryWarnings, 7 days by default).",
            "usable", "unassigned", "expired", "cancelled", Expiring),
        QueryParameter.Text("q", "Case-insensitive substring of the token's name."),
        QueryParameter.Instant("createdFrom", "Created at or after this instant (RFC 3339 with offset)."),
        QueryParameter.Instant("createdTo", "Created before this instant (RFC 3339 with offset)."),
        QueryParameter.Instant("expiresBefore", "Expires before this instant (RFC 3339 with offset)."),
        QueryParameter.Choice("sort", "Order of the list; default createdAt.", "createdAt", "expiresAt", "name", "lastUsedAt"),
        QueryParameter.Limit(PageRequest.DefaultLimit, PageRequest.MaxLimit),
        QueryParameter.Cursor);

    public static RouteGroupBuilder MapTokenEndpoints(this RouteGroupBuilder v1)
    {
        var tokens = v1.MapGroup("/tokens").WithTags("Tokens");
        tokens.MapPost("", CreateAsync).WithName("CreateToken").WithSummary("Issue a token, bound to a workload or unassigned; the response carries the secret, once")
            .ProducesProblem(422).ProducesProblem(415).ProducesProblem(413).RequireScope(Scopes.TokensWrite);
        tokens.MapGet("", ListAsync).WithName("ListTokens").WithSummary("List tokens: filters workloadId (or 'none'), status, state, q, createdFrom, createdTo, expiresBefore; sort; limit; cursor")
            .WithDescription("With Accept: text/csv, every matching token as one streamed CSV (id,name,workloadId,workloadName,status,state," +
                             "createdAt,expiresAt,lastUsedAt,useCount,hint,note): the filters and sort apply, limit and cursor do not.")
            .WithMetadata(new AlternativeContent(StatusCodes.Status200OK, "text/csv",
                "id,name,workloadId,workloadName,status,state,createdAt,expiresAt,lastUsedAt,useCount,hint,note\n" +
                "tok_0193a5b3f6a27d1e8c9b0a1f2e3d4c5b,alice@example.com,wl_0193a5b2d1e07c4a8b9c0d1e2f3a4b5c,llama-3-70b,active,usable," +
                "2026-12-01T09:30:00.000Z,2026-12-31T09:30:00.000Z,,0,tsq_…0000,Pilot cohort\n"))
            .WithQuery(ListQuery).ProducesProblem(400).RequireScope(Scopes.TokensRead);
        tokens.MapGet("/{id}", GetAsync).WithName("GetToken").WithSummary("Read a token (never the secret)").ProducesProblem(404).RequireScope(Scopes.TokensRead);
        tokens.MapPatch("/{id}", UpdateAsync).WithName("UpdateToken").WithSummary("Change name, note, workloadId, status or expiresAt (JSON merge patch; optional If-Match)")
            .ProducesProblem(404).ProducesProblem(412).ProducesProblem(422).RequireScope(Scopes.TokensWrite);
        tokens.MapPost("/{id}/renew", RenewAsync).WithName("RenewToken").WithSummary("Renew: expiresAt = now + lifetime (active tokens only)")
            .ProducesProblem(404).ProducesProblem(409).ProducesProblem(412).RequireScope(Scopes.TokensWrite);
        tokens.MapDelete("/{id}", DeleteAsync).WithName("DeleteToken").WithSummary("Delete a token; it stops working at once").ProducesProblem(404).ProducesProblem(412)
            .RequireScope(Scopes.TokensWrite);

        v1.MapPost("/workloads/{id}/tokens", CreateForWorkloadAsync).WithName("CreateWorkloadToken").WithTags("Tokens").WithSummary("Issue a token bound to this workload")
            .ProducesProblem(404).ProducesProblem(422).RequireScope(Scopes.TokensWrite);
        return v1;
    }

    private static async Task<Created<CreatedTokenResponse>> CreateAsync(JsonRequest<CreateTokenRequest> body, HttpResponse response, ClaimsPrincipal user,
        TokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = body.Value;
        var issued = await tokens.IssueAsync(user.Caller(), request.Name, request.WorkloadId, request.Note, cancellationToken);
        return Created(response, issued, time);
    }

    private static async Task<Created<CreatedTokenResponse>> CreateForWorkloadAsync(string id, JsonRequest<CreateWorkloadTokenRequest> body, HttpResponse response,
        ClaimsPrincipal user, TokenService tokens, WorkloadService workloads, TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = user.Caller();
        // The workload is in the path: a missing one is 404 here, not a field error.
        await workloads.GetAsync(caller, id, cancellationToken);
        var issued = await tokens.IssueAsync(caller, body.Value.Name, id, body.Value.Note, cancellationToken);
        return Created(response, issued, time);
    }

    /// <summary>A list filter, not a state of its own: usable tokens whose expiry falls within the first warning threshold (issue 14).</summary>
    private const string Expiring = "expiring";

    private static bool TryParseListState(string? value, out TokenState state)
    {
        if (value == Expiring)
        {
            state = TokenState.Usable;
            return true;
        }
        return TokenNames.TryParseState(value, out state);
    }

    private static async Task<Results<Ok<PageResponse<TokenResponse>>, PushStreamHttpResult>> ListAsync(HttpContext context, ClaimsPrincipal user,
        TokenService tokens, WorkloadService workloads, TimeProvider time, WebhookOptions webhooks, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var query = new QueryParameters(request, ListQuery);
        var workloadId = query.String("workloadId");
        var filter = new TokenQuery
        {
            UnassignedOnly = workloadId == "none",
            WorkloadId = workloadId == "none" ? null : workloadId,
            Status = query.Choice<TokenStatus>("status", TokenNames.TryParseStatus),
            State = query.Choice<TokenState>("state", TryParseListState),
            NameContains = query.String("q"),
            CreatedFrom = query.Instant("createdFrom"),
            CreatedTo = query.Instant("createdTo"),
            ExpiresBefore = query.Instant("expiresBefore"),
            Sort = query.Choice<TokenSort>("sort", TokenNames.TryParseSort) ?? TokenSort.CreatedAt,
        };
        var page = new PageRequest(query.Int("limit", PageRequest.DefaultLimit), query.String("cursor"));
        query.ThrowIfInvalid();
        if (query.String("state") == Expiring)
        {
            var within = time.GetUtcNow() + webhooks.ExpiringWithin;
            filter = filter with { ExpiresBefore = filter.ExpiresBefore is { } before && before < within ? before : within };
        }
        if (TokenCsvEndpoints.WantsCsv(request))
        {
            // Every matching token, no paging (API.md §10): limit and cursor do not apply.
            return TokenCsvEndpoints.Export(context, user.Caller(), filter, tokens, workloads, time);
        }
        var (items, next) = await tokens.ListAsync(user.Caller(), filter, page, cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PageResponse<TokenResponse>([.. items.Select(t => Responses.Token(t, now))], next));
    }

    private static async Task<Ok<TokenResponse>> GetAsync(string id, HttpResponse response, ClaimsPrincipal user, TokenService tokens,
        TimeProvider time, CancellationToken cancellationToken) =>
        Ok(response, await tokens.GetAsync(user.Caller(), id, cancellationToken), time);

    private static async Task<Ok<TokenResponse>> UpdateAsync(string id, JsonRequest<UpdateTokenRequest> body, HttpRequest request, HttpResponse response,
        ClaimsPrincipal user, TokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var ifMatch = IfMatch.Version(request);
        var update = body.Value;
        var patch = new TokenPatch
        {
            Name = update.Name,
            Note = update.Note,
            WorkloadId = update.WorkloadId,
            Status = update.Status,
            // The use case takes the instant as text (the console's form hands it text): the one the binder read, in its one spelling.
            ExpiresAt = update.ExpiresAt.IsSet ? Optional<string?>.Of(update.ExpiresAt.Value is { } at ? Instants.Format(at) : null) : Optional<string?>.Absent,
        };
        return Ok(response, await tokens.UpdateAsync(user.Caller(), id, patch, ifMatch, cancellationToken), time);
    }

    private static async Task<Ok<TokenResponse>> RenewAsync(string id, HttpRequest request, HttpResponse response, ClaimsPrincipal user,
        TokenService tokens, TimeProvider time, CancellationToken cancellationToken)
    {
        var ifMatch = IfMatch.Version(request);
        return Ok(response, await tokens.RenewAsync(user.Caller(), id, ifMatch, cancellationToken), time);
    }

    private static async Task<NoContent> DeleteAsync(string id, HttpRequest request, ClaimsPrincipal user, TokenService tokens, CancellationToken cancellationToken)
    {
        await tokens.DeleteAsync(user.Caller(), id, IfMatch.Version(request), cancellationToken);
        return TypedResults.NoContent();
    }

    private static Ok<TokenResponse> Ok(HttpResponse response, QueryToken token, TimeProvider time)
    {
        response.Headers.ETag = IfMatch.ETag(token.Version);
        return TypedResults.Ok(Responses.Token(token, time.GetUtcNow()));
    }

    private static Created<CreatedTokenResponse> Created(HttpResponse response, IssuedToken issued, TimeProvider time)
    {
        response.Headers.ETag = IfMatch.ETag(issued.Token.Version);
        return TypedResults.Created($"/v1/tokens/{issued.Token.Id}", Responses.CreatedToken(issued, time.GetUtcNow()));
    }
}
