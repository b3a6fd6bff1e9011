using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Core.Usage;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/usage</c>: uses over time, by hour or by UTC day, zero-filled (API.md §10).</summary>
public static class UsageEndpoints
{
    private static readonly QueryContract UsageQuery = new(
        QueryParameter.Text("tokenId", "Only this token's uses (not with workloadId)."),
        QueryParameter.Text("workloadId", "Only the uses of tokens while they were in this workload (not with tokenId)."),
        QueryParameter.Instant("from", "From this instant, widened down to its bucket's start (RFC 3339); default: 24 hours or 30 days before 'to'."),
        QueryParameter.Instant("to", "Before this instant, widened up to a bucket's end (RFC 3339); default: the end of the current bucket."),
        QueryParameter.Choice("granularity", "Bucket width: hour (default) or day (UTC).", "hour", "day"));

    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/usage", ReadAsync).WithName("GetUsage").WithTags("Usage")
            .WithSummary("Uses over time for a token, a workload or the account: filters tokenId or workloadId, from, to; granularity hour|day")
            .WithDescription("Every bucket of the window is listed, oldest first, zeros included, at most 1,000. Uses land in their hour " +
                             "with the usage flush (within about a second of the verification). Buckets are kept for Tessera:Usage:Retention " +
                             "(default 90 days). A workload's uses are those of the tokens while they were in it.")
            .WithQuery(UsageQuery).ProducesProblem(400).ProducesProblem(404).RequireScope(Scopes.UsageRead);
        return v1;
    }

    private static async Task<Ok<ItemsResponse<UsageBucketResponse>>> ReadAsync(HttpRequest request, ClaimsPrincipal user, UsageService usage,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, UsageQuery);
        var tokenId = query.String("tokenId");
        var workloadId = query.String("workloadId");
        var from = query.Instant("from");
        var to = query.Instant("to");
        var granularity = query.Choice<UsageGranularity>("granularity", TryParseGranularity) ?? UsageGranularity.Hour;
        query.ThrowIfInvalid();
        var buckets = await usage.ReadAsync(user.Caller(), tokenId, workloadId, from, to, granularity, cancellationToken);
        return TypedResults.Ok(new ItemsResponse<UsageBucketResponse>([.. buckets.Select(b => new UsageBucketResponse(b.Start, b.Uses))]));
    }

    private static bool TryParseGranularity(string? value, out UsageGranularity granularity)
    {
        (var known, granularity) = value switch
        {
            "hour" => (true, UsageGranularity.Hour),
            "day" => (true, UsageGranularity.Day),
            _ => (false, UsageGranularity.Hour),
        };
        return known;
    }
}
