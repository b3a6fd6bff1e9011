using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/account</c> and <c>/v1/license-keys</c>.</summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/account", GetAccountAsync).WithName("GetAccount").WithTags("Account").WithSummary("The caller's account").RequireAnyLicenseKey();

        var keys = v1.MapGroup("/license-keys").WithTags("License keys").RequireScope(Scopes.KeysManage);
        keys.MapGet("", ListKeysAsync).WithName("ListLicenseKeys").WithSummary("List license keys (hints only)");
        keys.MapPost("", CreateKeyAsync).WithName("CreateLicenseKey")
            .WithSummary("Create a license key with scopes, workloadIds and expiresAt within the caller's own; the response carries the secret, once")
            .ProducesProblem(403).ProducesProblem(422).ProducesProblem(415).ProducesProblem(413);
        keys.MapDelete("/{id}", RevokeKeyAsync).WithName("RevokeLicenseKey").WithSummary("Revoke a license key (not the last active one)")
            .ProducesProblem(404).ProducesProblem(409);
        keys.MapPatch("/{id}", RefuseChangeAsync).WithName("UpdateLicenseKey").WithSummary("Refused: a key's grant is fixed at creation (403 insufficient_scope, recorded in the audit trail)")
            .ProducesProblem(403).ProducesProblem(404);
        return v1;
    }

    private static async Task<Ok<AccountResponse>> GetAccountAsync(ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(Responses.Account(await accounts.GetAccountAsync(user.Caller(), cancellationToken)));

    private static async Task<Ok<ItemsResponse<LicenseKeyResponse>>> ListKeysAsync(ClaimsPrincipal user, AccountService accounts, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var keys = await accounts.ListLicenseKeysAsync(user.Caller(), cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new ItemsResponse<LicenseKeyResponse>([.. keys.Select(k => Responses.LicenseKey(k, now))]));
    }

    private static async Task<Created<CreatedLicenseKeyResponse>> CreateKeyAsync(JsonRequest<CreateLicenseKeyRequest> body, ClaimsPrincipal user,
        AccountService accounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var request = body.Value;
        // The use case takes the instant as text (the console's form hands it text): the one the binder read, in its one spelling.
        var (key, secret) = await accounts.CreateLicenseKeyAsync(user.Caller(), request.Name, request.Scopes, request.WorkloadIds,
            request.ExpiresAt is { } at ? Instants.Format(at) : null, cancellationToken);
        return TypedResults.Created($"/v1/license-keys/{key.Id}", Responses.CreatedLicenseKey(key, secret, time.GetUtcNow()));
    }

    /// <summary>Exists so that an attempt to widen a key is answered plainly and recorded, rather than a bare 405.</summary>
    private static async Task<NoContent> RefuseChangeAsync(string id, HttpRequest request, ClaimsPrincipal user, AccountService accounts,
        CancellationToken cancellationToken)
    {
        var caller = user.Caller();
        var key = await accounts.GetLicenseKeyAsync(caller, id, cancellationToken); // another account's key: 404 before anything else
        var body = await JsonBody.ReadAsync(request, mergePatch: true);
        body.Validate("name", "scopes", "workloadIds", "expiresAt");
        await accounts.RefuseKeyChangeAsync(caller, key, "PATCH /v1/license-keys/{id}", cancellationToken);
        return TypedResults.NoContent(); // not reached: the change is always refused
    }

    private static async Task<NoContent> RevokeKeyAsync(string id, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.RevokeLicenseKeyAsync(user.Caller(), id, cancellationToken);
        return TypedResults.NoContent();
    }
}
