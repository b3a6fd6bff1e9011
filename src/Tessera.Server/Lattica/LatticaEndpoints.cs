using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Verification;
using Tessera.Core.Workloads;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Http;
using static Tessera.Server.Lattica.LatticaSchemas;

namespace Tessera.Server.Lattica;

/// <summary>
/// The Lattica-compatible surface (API.md §5): management scripts written for the Lattica Python SDK
/// run unchanged with <c>LATTICA_BE_URL</c> pointing here. A thin adapter: every call is
/// <c>POST /api/{area}/{call}</c> with a JSON body, translated onto the same use cases as <c>/v1</c>;
/// answers are <c>{"result": …}</c>, refusals <c>{"error", "error_code"}</c> (see <see cref="LatticaErrors"/>).
/// </summary>
public static class LatticaEndpoints
{
    /// <summary>The SDK adds this object to every body; it is accepted and ignored.</summary>
    private const string ClientInfo = "client_info";

    public static IEndpointRouteBuilder MapLatticaEndpoints(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api").WithTags("Lattica compatibility").AddEndpointFilter(LatticaErrors.FilterAsync);
        foreach (var status in RefusalStatuses)
        {
            api.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(LatticaError), ["application/json"]));
        }
        api.MapPost("/model/create_model", CreateModelAsync).WithName("LatticaCreateModel").DescribeBody<LatticaCreateModelRequest>().Produces<LatticaResult<string>>().DeclareScope(Scopes.WorkloadsWrite).WithSummary("Lattica: create a model (a workload); result: its id");
        api.MapPost("/model/list_models", ListModelsAsync).WithName("LatticaListModels").DescribeBody<LatticaRequest>().Produces<LatticaResult<LatticaModels>>().DeclareScope(Scopes.WorkloadsRead).WithSummary("Lattica: list models");
        api.MapPost("/model/get_model_info", GetModelInfoAsync).WithName("LatticaGetModelInfo").DescribeBody<LatticaModelRequest>().Produces<LatticaResult<LatticaModelInfo>>().DeclareScope(Scopes.WorkloadsRead).WithSummary("Lattica: one model");
        api.MapPost("/token/generate_token", GenerateTokenAsync).WithName("LatticaGenerateToken").DescribeBody<LatticaGenerateTokenRequest>().Produces<LatticaResult<LatticaIssuedToken>>().DeclareScope(Scopes.TokensWrite).WithSummary("Lattica: issue a token; result: {token, tokenId}");
        api.MapPost("/token/list_tokens", ListTokensAsync).WithName("LatticaListTokens").DescribeBody<LatticaListTokensRequest>().Produces<LatticaResult<LatticaTokens>>().DeclareScope(Scopes.TokensRead).WithSummary("Lattica: list tokens by status, modelId, issueDate (ms, that UTC day)");
        api.MapPost("/token/get_token_info", GetTokenInfoAsync).WithName("LatticaGetTokenInfo").DescribeBody<LatticaTokenSecretRequest>().Produces<LatticaResult<LatticaTokenInfo>>().DeclareScope(Scopes.TokensRead).WithSummary("Lattica: describe a token given its secret (license key or the token itself as bearer)");
        api.MapPost("/token/update_token_info", UpdateTokenInfoAsync).WithName("LatticaUpdateTokenInfo").DescribeBody<LatticaUpdateTokenRequest>().Produces<LatticaResult<LatticaMessage>>().DeclareScope(Scopes.TokensWrite).WithSummary("Lattica: change tokenName, tokenNote, status");
        api.MapPost("/token/assign_token_to_model", AssignAsync).WithName("LatticaAssignTokenToModel").DescribeBody<LatticaAssignTokenRequest>().Produces<LatticaResult<LatticaMessage>>().DeclareScope(Scopes.TokensWrite).WithSummary("Lattica: assign a token to a model");
        api.MapPost("/token/unassign_token_from_model", UnassignAsync).WithName("LatticaUnassignTokenFromModel").DescribeBody<LatticaUnassignTokenRequest>().Produces<LatticaResult<LatticaMessage>>().DeclareScope(Scopes.TokensWrite).WithSummary("Lattica: unassign a token from a model");
        api.MapPost("/token/delete_token", DeleteTokenAsync).WithName("LatticaDeleteToken").DescribeBody<LatticaTokenRequest>().Produces<LatticaResult<LatticaMessage>>().DeclareScope(Scopes.TokensWrite).WithSummary("Lattica: delete a token");
        api.MapPost("/account/get_account_info", GetAccountInfoAsync).WithName("LatticaGetAccountInfo").DescribeBody<LatticaRequest>().Produces<LatticaResult<LatticaAccount>>().DeclareScope(null).WithSummary("Lattica: the caller's account");
        // Anything else the SDK can call (workers, credits, uploads) has no meaning here: a Lattica-shaped 404;
        // another method than POST gets a Lattica-shaped 405, so the whole of /api answers in one shape.
        api.Map("/{**call}", (HttpRequest request, string? call) => HttpMethods.IsPost(request.Method)
            ? LatticaErrors.Result(StatusCodes.Status404NotFound, ErrorCodes.NotFound, $"Tessera does not implement 'api/{call}'.")
            : LatticaErrors.Result(StatusCodes.Status405MethodNotAllowed, ErrorCodes.MethodNotAllowed, "Lattica calls are POST requests."))
            .ExcludeFromDescription().ExemptFromScopes("answers every unknown Lattica call with 404 or 405 before any key is looked at");
        return app;
    }

    private static async Task<IResult> CreateModelAsync(HttpRequest request, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var name = body.String("modelName");
        body.Validate("modelName", ClientInfo);
        var view = await workloads.CreateAsync(caller, name.Value, null, cancellationToken);
        return Ok(JsonValue.Create(view.Workload.Id));
    }

    private static async Task<IResult> ListModelsAsync(HttpRequest request, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        body.Validate(ClientInfo);
        var first = await workloads.ListAsync(caller, PageRequest.Largest(), cancellationToken);
        return new LatticaListResult<WorkloadView>("models", first,
            (cursor, ct) => workloads.ListAsync(caller, PageRequest.Largest(cursor), ct),
            static (json, view) =>
            {
                json.WriteStartObject();
                json.WriteString("modelId", view.Workload.Id);
                json.WriteString("modelName", view.Workload.Name);
                json.WriteString("description", view.Workload.Description);
                json.WriteNumber("createdAt", Ms(view.Workload.CreatedAt));
                json.WriteString("status", ModelStatus);
                json.WriteEndObject();
            });
    }

    private static async Task<IResult> GetModelInfoAsync(HttpRequest request, WorkloadService workloads, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var modelId = body.String("modelId");
        body.Validate("modelId", ClientInfo);
        var view = await workloads.GetAsync(caller, Required(modelId, "modelId"), cancellationToken);
        return Ok(new JsonObject
        {
            ["model"] = new JsonObject
            {
                ["modelId"] = view.Workload.Id,
                ["modelName"] = view.Workload.Name,
                ["description"] = view.Workload.Description,
                ["createdAt"] = Ms(view.Workload.CreatedAt),
                ["updatedAt"] = Ms(view.Workload.UpdatedAt),
                ["status"] = ModelStatus,
            },
        });
    }

    private static async Task<IResult> GenerateTokenAsync(HttpRequest request, WorkloadService workloads, TokenService tokens,
        CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var modelId = body.String("modelId");
        var name = body.String("tokenName");
        body.Validate("modelId", "tokenName", ClientInfo);
        // As on /v1: a workload-bound key may not create a token outside its workloads, unassigned included (403).
        caller.EnsureMayPlaceIn(modelId.Value);
        if (modelId.Value is not null)
        {
            // A model the caller does not have is 404, as it is everywhere else on this surface.
            await workloads.GetAsync(caller, modelId.Value, cancellationToken);
        }
        var issued = await tokens.IssueAsync(caller, name.Value, modelId.Value, null, cancellationToken);
        return Ok(new JsonObject { ["token"] = issued.Secret, ["tokenId"] = issued.Token.Id });
    }

    private static async Task<IResult> ListTokensAsync(HttpRequest request, WorkloadService workloads, TokenService tokens,
        CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var status = body.String("status");
        var modelId = body.String("modelId");
        var issueDate = body.Integer("issueDate");
        body.Validate("status", "modelId", "issueDate", ClientInfo);
        var query = new TokenQuery { Status = ParseStatus(status) };
        if (modelId.Value is not null)
        {
            await workloads.GetAsync(caller, modelId.Value, cancellationToken);
            query = query with { WorkloadId = modelId.Value };
        }
        if (issueDate.Value is { } ms)
        {
            if (ms is < 0 or > MaxUnixMilliseconds)
            {
                throw TesseraException.Invalid("issueDate", "Must be milliseconds since the Unix epoch.");
            }
            var day = new DateTimeOffset(DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime.Date, TimeSpan.Zero);
            query = query with { CreatedFrom = day, CreatedTo = day.AddDays(1) };
        }

        var first = await tokens.ListAsync(caller, query, PageRequest.Largest(), cancellationToken);
        return new LatticaListResult<QueryToken>("tokens", first,
            (cursor, ct) => tokens.ListAsync(caller, query, PageRequest.Largest(cursor), ct),
            static (json, token) =>
            {
                json.WriteStartObject();
                json.WriteString("tokenId", token.Id);
                json.WriteString("tokenName", token.Name);
                json.WriteString("tokenNote", token.Note);
                json.WriteString("status", StatusOf(token.Status));
                json.WriteString("modelId", token.WorkloadId);
                json.WriteNumber("issueDate", Ms(token.CreatedAt));
                json.WriteNumber("expirationDate", Ms(token.ExpiresAt));
                json.WriteEndObject();
            },
            // After the list, which alone knows the count: a streamed answer cannot go back to put it first.
            static (json, count) => json.WriteString("message", $"Found {count} token(s)."));
    }

    private static async Task<IResult> GetTokenInfoAsync(HttpRequest request, TokenService tokens, VerificationService verification,
        FailureLimiter limiter, CancellationToken cancellationToken)
    {
        var bearer = Bearer.From(request.Headers.Authorization);
        if (bearer?.StartsWith(Core.Secrets.SecretFormat.QueryTokenPrefix, StringComparison.Ordinal) == true)
        {
            // The token as its own credential: checked as the query side checks it (memory, the unknown-hash
            // cache, metrics, the query-token failure budget), and described from what that check knows, so an
            // unknown or flooded value never reads the store more than the query side would (ADR 0004).
            var fields = await ReadAsync(request);
            var named = fields.String("token");
            fields.Validate("token", ClientInfo);
            if (named.Value is not null && named.Value != bearer)
            {
                // A query token describes itself only; it is no key to other tokens. Answered before the bearer is
                // looked at, as it always was: comparing two values the caller sent reads nothing and counts no use.
                throw TesseraException.NotFound(ErrorCodes.TokenNotFound, "token");
            }
            var self = await LatticaCredentials.QueryTokenAsync(request.HttpContext, verification, limiter);
            return TokenInfo(self.Id, self.Status, self.Name, self.ExpiresAt, self.Workload?.Id, self.Workload?.Name);
        }

        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var token = body.String("token");
        body.Validate("token", ClientInfo);
        // With a license key: an inspection of one of the caller's tokens, read from the store, no use counted.
        var match = await tokens.DescribeSecretAsync(caller, Required(token, "token"), cancellationToken);
        var t = match.Token;
        return TokenInfo(t.Id, t.Status, t.Name, t.ExpiresAt, t.WorkloadId, match.WorkloadName);
    }

    private static IResult TokenInfo(string id, TokenStatus status, string name, DateTimeOffset expiresAt, string? modelId, string? modelName) =>
        Ok(new JsonObject
        {
            ["token"] = new JsonObject
            {
                ["tokenId"] = id,
                ["status"] = StatusOf(status),
                ["tokenName"] = name,
                ["expirationDate"] = Ms(expiresAt),
            },
            ["model"] = new JsonObject
            {
                ["modelId"] = modelId,
                ["modelName"] = modelId is null ? null : modelName,
                ["status"] = modelId is null ? null : ModelStatus,
            },
            // Lattica's encrypted-inference workers and evaluation keys do not exist here.
            ["worker"] = new JsonObject { ["status"] = null },
            ["evaluationKey"] = new JsonObject { ["createdAt"] = null },
        });

    private static async Task<IResult> UpdateTokenInfoAsync(HttpRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var tokenId = body.String("tokenId");
        var name = body.String("tokenName");
        var note = body.String("tokenNote");
        var status = body.String("status");
        body.Validate("tokenId", "tokenName", "tokenNote", "status", ClientInfo);
        var id = Required(tokenId, "tokenId");
        var parsed = ParseStatus(status);
        var patch = new TokenPatch
        {
            Name = name,
            Note = note,
            Status = parsed is { } s ? Optional<string?>.Of(TokenNames.Of(s)) : Optional<string?>.Absent,
        };
        await tokens.UpdateAsync(caller, id, patch, null, cancellationToken);
        return Ok(new JsonObject { ["message"] = "Token updated." });
    }

    private static async Task<IResult> AssignAsync(HttpRequest request, WorkloadService workloads, TokenService tokens,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var tokenId = body.String("tokenId");
        var modelId = body.String("modelIdToAssign");
        body.Validate("tokenId", "modelIdToAssign", ClientInfo);
        var id = Required(tokenId, "tokenId");
        caller.EnsureMayPlaceIn(Required(modelId, "modelIdToAssign"));
        var model = await workloads.GetAsync(caller, Required(modelId, "modelIdToAssign"), cancellationToken);
        var before = await tokens.GetAsync(caller, id, cancellationToken);
        var after = await tokens.UpdateAsync(caller, id, new TokenPatch { WorkloadId = Optional<string?>.Of(model.Workload.Id) }, null, cancellationToken);

        var warnings = new List<string>();
        if (before.WorkloadId is { } previous && previous != model.Workload.Id)
        {
            warnings.Add($"The token was moved from model {previous}.");
        }
        switch (after.StateAt(time.GetUtcNow()))
        {
            case TokenState.Cancelled:
                warnings.Add("The token is cancelled: it will be refused until it is reactivated.");
                break;
            case TokenState.Expired:
                warnings.Add("The token has expired: it will be refused until it is renewed.");
                break;
        }
        var result = new JsonObject { ["message"] = "Token assigned to model." };
        if (warnings.Count > 0)
        {
            result["warning"] = string.Join(' ', warnings);
        }
        return Ok(result);
    }

    private static async Task<IResult> UnassignAsync(HttpRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var tokenId = body.String("tokenId");
        var modelId = body.String("modelId");
        body.Validate("tokenId", "modelId", ClientInfo);
        var id = Required(tokenId, "tokenId");
        var model = Required(modelId, "modelId");
        var token = await tokens.GetAsync(caller, id, cancellationToken);
        if (token.WorkloadId != model)
        {
            // Unassigning from a model the token is not on must not unassign it from the one it is on.
            return Ok(new JsonObject
            {
                ["message"] = "Nothing changed.",
                ["warning"] = token.WorkloadId is null
                    ? "The token is not assigned to any model."
                    : "The token is assigned to another model; it was left there.",
            });
        }
        // Pinned to the version read, so a concurrent reassignment is never undone by this call.
        await tokens.UpdateAsync(caller, id, new TokenPatch { WorkloadId = Optional<string?>.Of(null) }, token.Version, cancellationToken);
        return Ok(new JsonObject { ["message"] = "Token unassigned from model.", ["warning"] = null });
    }

    private static async Task<IResult> DeleteTokenAsync(HttpRequest request, TokenService tokens, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        var tokenId = body.String("tokenId");
        body.Validate("tokenId", ClientInfo);
        await tokens.DeleteAsync(caller, Required(tokenId, "tokenId"), null, cancellationToken);
        return Ok(new JsonObject { ["message"] = "Token deleted." });
    }

    private static async Task<IResult> GetAccountInfoAsync(HttpRequest request, AccountService accounts, CancellationToken cancellationToken)
    {
        var caller = await AuthenticateAsync(request);
        var body = await ReadAsync(request);
        body.Validate(ClientInfo);
        var account = await accounts.GetAccountAsync(caller, cancellationToken);
        return Ok(new JsonObject
        {
            ["accountId"] = account.Id,
            ["createdAt"] = Ms(account.CreatedAt),
            ["companyName"] = account.Name,
            // Lattica's contact, billing and credit fields have no counterpart in Tessera.
            ["contactName"] = null,
            ["email"] = null,
            ["phoneNumber"] = null,
            ["credits"] = null,
            ["authExpDate"] = null,
        });
    }

    /// <summary>The refusals every Lattica call can give, for the API description (body: <see cref="LatticaError"/>).</summary>
    private static readonly int[] RefusalStatuses = [400, 401, 403, 404, 409, 413, 415, 422, 429];

    private const string ModelStatus = "ACTIVE";

    /// <summary>9999-12-31T23:59:59.999Z, the last instant a date can name.</summary>
    private const long MaxUnixMilliseconds = 253_402_300_799_999;

    /// <summary>The license key's caller, checked by the same scheme as <c>/v1</c> (see <see cref="LatticaCredentials"/>).</summary>
    private static Task<Caller> AuthenticateAsync(HttpRequest request) => LatticaCredentials.LicenseKeyAsync(request.HttpContext);

    private static Task<JsonFields> ReadAsync(HttpRequest request) => JsonBody.ReadAsync(request, optional: true);

    private static string Required(Optional<string?> field, string name) =>
        field.Value ?? throw TesseraException.Invalid(name, "Required.");

    private static TokenStatus? ParseStatus(Optional<string?> status) => status.Value?.ToUpperInvariant() switch
    {
        null => null,
        "ACTIVE" => TokenStatus.Active,
        "CANCELED" or "CANCELLED" => TokenStatus.Cancelled,
        _ => throw TesseraException.Invalid("status", "Must be ACTIVE or CANCELED."),
    };

    private static string StatusOf(TokenStatus status) => status == TokenStatus.Active ? "ACTIVE" : "CANCELED";

    private static long Ms(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds();

    private static IResult Ok(JsonNode? result) => LatticaErrors.Json(StatusCodes.Status200OK, new JsonObject { ["result"] = result });
}
