using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core.Accounts;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary><c>/v1/account</c> and <c>/v1/license-keys</c>.</summary>
public static class AccountEndpoints
{
    public static RouteGroupBuilder MapAccountEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapGet("/account", GetAccountAsync).WithTags("Account").WithSummary("The caller's account");

        var keys = v1.MapGroup("/license-keys").WithTags("License keys");
        keys.MapGet("", ListKeysAsync).WithSummary("List license keys (hints only)");
        keys.MapPost("", CreateKeyAsync).WithSummary("Create a license key; the response carries the secret, once")
            .Accepts<CreateLicenseKeyRequest>("application/json").ProducesProblem(422).ProducesProblem(415).ProducesProblem(413);
        keys.MapDelete("/{id}", RevokeKeyAsync).WithSummary("Revoke a license key (not the last active one)")
            .ProducesProblem(404).ProducesProblem(409);
        return v1;
    }

    private static async Task<Ok<AccountResponse>> GetAccountAsync(ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(Responses.Account(await accounts.GetAccountAsync(user.Caller(), cancellationToken)));

    private static async Task<Ok<ItemsResponse<LicenseKeyResponse>>> ListKeysAsync(ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        var keys = await accounts.ListLicenseKeysAsync(user.Caller(), cancellationToken);
        return TypedResults.Ok(new ItemsResponse<LicenseKeyResponse>([.. keys.Select(Responses.LicenseKey)]));
    }

    private static async Task<Created<CreatedLicenseKeyResponse>> CreateKeyAsync(HttpRequest request, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        var body = await JsonBody.ReadAsync(request);
        var name = body.String("name");
        body.Validate("name");
        var (key, secret) = await accounts.CreateLicenseKeyAsync(user.Caller(), name.Value, cancellationToken);
        return TypedResults.Created($"/v1/license-keys/{key.Id}", Responses.CreatedLicenseKey(key, secret));
    }

    private static async Task<NoContent> RevokeKeyAsync(string id, ClaimsPrincipal user, AccountService accounts, CancellationToken cancellationToken)
    {
        await accounts.RevokeLicenseKeyAsync(user.Caller(), id, cancellationToken);
        return TypedResults.NoContent();
    }
}
