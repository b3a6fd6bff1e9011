using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Gateway;
using Tessera.Core.Validation;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/gateway</c>: the feed that lets a gateway verify query tokens in its own process (API.md §9, ADR 0016).</summary>
public static class GatewayFeedEndpoints
{
    public const string NdJson = "application/x-ndjson";

    private static readonly QueryContract ChangesQuery = new(
        QueryParameter.Integer("after", "The position of the snapshot or of the last changes answer (required)."),
        QueryParameter.Integer("wait", $"Seconds to wait for a change when there is none yet, 0–{(int)GatewayService.MaxWait.TotalSeconds} (default 0)."));

    public static RouteGroupBuilder MapGatewayFeedEndpoints(this RouteGroupBuilder v1)
    {
        var gateway = v1.MapGroup("/gateway").WithTags("Gateway feed");
        gateway.MapGet("/snapshot", SnapshotAsync).WithName("GetGatewaySnapshot")
            .WithSummary("Every token of the account a gateway needs (NDJSON, one line each, then {\"position\": N})")
            .Produces(StatusCodes.Status200OK, contentType: NdJson).WithMetadata(StreamingAnswer.Instance).RequireScope(Scopes.Gateway);
        gateway.MapGet("/changes", ChangesAsync).WithName("ListGatewayChanges")
            .WithSummary("The tokens changed after a position, as they are now or {\"tokenId\", \"deleted\": true}; long-polls up to 'wait' seconds")
            .WithQuery(ChangesQuery).ProducesProblem(400).ProducesProblem(410).WithMetadata(StreamingAnswer.Instance).RequireScope(Scopes.Gateway);
        gateway.MapPost("/usage", UsageAsync).WithName("ReportGatewayUsage").WithSummary("Add the uses a gateway verified itself")
            .Accepts<GatewayUsageRequest>("application/json").ProducesProblem(422).RequireScope(Scopes.Gateway);
        return v1;
    }

    private static async Task SnapshotAsync(HttpResponse response, ClaimsPrincipal user, GatewayService gateway, CancellationToken cancellationToken)
    {
        var snapshot = await gateway.SnapshotAsync(user.Caller(), cancellationToken);
        response.ContentType = NdJson;
        var output = response.BodyWriter;
        await using var writer = new Utf8JsonWriter(output);
        var lines = 0;
        await foreach (var token in snapshot.Tokens.WithCancellation(cancellationToken))
        {
            GatewayFeedJson.WriteLine(writer, output, token);
            // Out in pieces of about 64 KB (under 200 bytes a line): memory stays flat whatever the account's size.
            if (++lines % 512 == 0)
            {
                await output.FlushAsync(cancellationToken);
            }
        }
        GatewayFeedJson.WritePositionLine(writer, output, snapshot.Position);
        await output.FlushAsync(cancellationToken);
    }

    private static async Task ChangesAsync(HttpRequest request, HttpResponse response, ClaimsPrincipal user, GatewayService gateway,
        CancellationToken cancellationToken)
    {
        var query = new QueryParameters(request, ChangesQuery);
        var after = query.Long("after");
        var wait = query.Int("wait", 0);
        var errors = new ValidationErrors();
        if (query.String("after") is null)
        {
            errors.Add("after", "Required: the position of the snapshot or of the last changes answer.");
        }
        else if (after < 0)
        {
            errors.Add("after", "Must be 0 or more.");
        }
        if (wait < 0 || wait > GatewayService.MaxWait.TotalSeconds)
        {
            errors.Add("wait", $"Must be from 0 to {(int)GatewayService.MaxWait.TotalSeconds} seconds.");
        }
        query.ThrowIfInvalid();
        errors.ThrowIfAny(ErrorCodes.InvalidQuery, ProblemKind.BadRequest);
        var changes = await gateway.ChangesAsync(user.Caller(), after ?? 0, TimeSpan.FromSeconds(wait), cancellationToken);
        response.ContentType = "application/json";
        await using var writer = new Utf8JsonWriter(response.BodyWriter);
        GatewayFeedJson.WriteChanges(writer, changes);
        await writer.FlushAsync(cancellationToken);
    }

    private static async Task<Ok<GatewayUsageResponse>> UsageAsync(HttpRequest request, ClaimsPrincipal user, GatewayService gateway,
        CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request);
        var items = body.ObjectList("items");
        body.Validate("items");
        var usages = GatewayUsageItems.Read(items.Value ?? throw TesseraException.Invalid("items", "Required: an array of {tokenId, uses, lastUsedAt}."));
        var recorded = await gateway.RecordUsageAsync(user.Caller(), usages, cancellationToken);
        return TypedResults.Ok(new GatewayUsageResponse(recorded));
    }
}
