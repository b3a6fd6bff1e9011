using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Leaks;
using Tessera.Core.Validation;
using Tessera.Server.Abuse;
using Tessera.Server.Auth;
using Tessera.Server.Http;

namespace Tessera.Server.Leaks;

/// <summary>
/// Leak response (API.md §11): <c>POST /v1/leaks/github</c>, GitHub's secret scanning partner call, proven by
/// its signature instead of a license key; and <c>POST /v1/leaks</c> for a provider's own scanners.
/// </summary>
public static class LeakEndpoints
{
    /// <summary>GitHub's batches are bounded: a bigger body is refused before its signature is even checked.</summary>
    public const int MaxGitHubBodyBytes = 1024 * 1024;

    public const int MaxGitHubItems = 1000;

    private const string GitHubDoor = "github";
    private const string ApiDoor = "api";

    /// <summary>The partner call: outside the license-key group, anonymous by design (the signature is its credential).</summary>
    public static IEndpointRouteBuilder MapGitHubLeakEndpoint(this IEndpointRouteBuilder app)
    {
        app.MapPost("/v1/leaks/github", GitHubAsync).WithName("ReportGitHubLeaks").AllowAnonymous().ExemptFromScopes("signed by GitHub, not by a license key").WithTags("Leaks")
            .WithSummary("GitHub secret scanning partner call: a signed JSON array of {token, type, url, source}; answers a label per item")
            .Produces<List<GitHubLeakVerdict>>().ProducesProblem(400).ProducesProblem(401).ProducesProblem(413).ProducesProblem(429).ProducesProblem(503);
        return app;
    }

    public static RouteGroupBuilder MapLeakEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/leaks", ReportAsync).WithName("ReportLeak").WithTags("Leaks")
            .WithSummary("Report a string your own scanner found in public; a stored query token (of any account) is handled by Tessera:Leaks:Action")
            .ProducesProblem(422).ProducesProblem(415).ProducesProblem(413)
            .RequireScope(Scopes.TokensWrite);
        return v1;
    }

    private static async Task<Ok<LeakReportResponse>> ReportAsync(JsonRequest<LeakReportRequest> body, ClaimsPrincipal user, LeakService leaks, LeakMetrics metrics,
        CancellationToken cancellationToken)
    {
        var report = body.Value;
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(report.Token))
        {
            errors.Add("token", "Give the string that was found.");
        }
        LeakService.CheckPlace(report.Url, report.Source, errors);
        errors.ThrowIfAny();

        var label = await leaks.ReportAsync(report.Token, report.Url, report.Source, LeakReporter.Provider(user.Caller()), cancellationToken);
        metrics.Call(ApiDoor, "accepted");
        metrics.Reported(label);
        return TypedResults.Ok(new LeakReportResponse(HashHex(report.Token), LeakNames.Of(label),
            label == LeakLabel.TruePositive ? LeakNames.Of(leaks.Action) : null));
    }

    private static async Task<IResult> GitHubAsync(HttpContext context, GitHubKeys keys, LeakService leaks, LeakSettings settings,
        FailureLimiter limiter, LeakMetrics metrics, CancellationToken cancellationToken)
    {
        if (!settings.GitHubEnabled)
        {
            return Problems.Create(StatusCodes.Status404NotFound, ErrorCodes.NotFound, "The GitHub leak endpoint is turned off on this server.");
        }
        // Kestrel's cap for every call (Tessera:Http:MaxRequestBodyBytes, 64 KiB) is lifted for this one only, which
        // counts the bytes itself up to its own, larger cap.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        byte[] body;
        try
        {
            body = await JsonBody.ReadBytesAsync(context.Request, MaxGitHubBodyBytes);
        }
        catch (HttpProblemException)
        {
            metrics.Call(GitHubDoor, "too_large");
            throw;
        }

        var headers = context.Request.Headers;
        SignatureCheck check;
        try
        {
            check = await keys.VerifyAsync(headers["Github-Public-Key-Identifier"], headers["Github-Public-Key-Signature"], body, cancellationToken);
        }
        catch (HttpProblemException)
        {
            metrics.Call(GitHubDoor, "keys_unavailable");
            throw;
        }
        if (check != SignatureCheck.Valid)
        {
            return Refuse(context, check, limiter, metrics);
        }

        List<(string Token, string Type, string? Url, string? Source)> items;
        try
        {
            items = ReadItems(body);
        }
        catch (Exception e) when (e is HttpProblemException or TesseraException)
        {
            metrics.Call(GitHubDoor, e is HttpProblemException { Status: StatusCodes.Status413PayloadTooLarge } ? "too_large" : "malformed");
            throw;
        }

        var reporter = LeakReporter.GitHub(context.ClientIp());
        var labels = new Dictionary<string, LeakLabel>(StringComparer.Ordinal);
        var answer = new List<GitHubLeakVerdict>(items.Count);
        foreach (var (token, type, url, source) in items)
        {
            // The same token twice in one batch is handled once.
            if (!labels.TryGetValue(token, out var label))
            {
                label = labels[token] = await leaks.ReportAsync(token, url, source, reporter, cancellationToken);
                metrics.Reported(label);
            }
            answer.Add(new GitHubLeakVerdict(HashHex(token), type, LeakNames.Of(label)));
        }
        metrics.Call(GitHubDoor, "accepted");
        return TypedResults.Ok(answer);
    }

    /// <summary>401 with a code per reason, or 429 once the address has used up its failure budget; never an audit row.</summary>
    private static IResult Refuse(HttpContext context, SignatureCheck check, FailureLimiter limiter, LeakMetrics metrics)
    {
        // A forged report draws on the same per-address budget as a refused license key: it is a refused credential.
        if (!limiter.TryRecordFailure(context, FailureKind.LicenseKey, out var retryAfter))
        {
            metrics.Call(GitHubDoor, "rate_limited");
            return FailureLimiter.TooManyFailures(context.Response, retryAfter);
        }
        var (result, code, detail) = check switch
        {
            SignatureCheck.Missing => ("signature_missing", ErrorCodes.LeakSignatureMissing,
                "Send the Github-Public-Key-Identifier and Github-Public-Key-Signature headers."),
            SignatureCheck.UnknownKey => ("key_unknown", ErrorCodes.LeakKeyUnknown, "No published GitHub key has this identifier."),
            _ => ("signature_invalid", ErrorCodes.LeakSignatureInvalid, "The signature does not match the body."),
        };
        metrics.Call(GitHubDoor, result);
        return Problems.Create(StatusCodes.Status401Unauthorized, code, detail);
    }

    /// <summary>The signed body: a JSON array of at most <see cref="MaxGitHubItems"/> objects with a string <c>token</c>.</summary>
    private static List<(string Token, string Type, string? Url, string? Source)> ReadItems(byte[] body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException)
        {
            throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Refusals.InvalidJson);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Array)
            {
                throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The body must be a JSON array of {token, type, url, source}.");
            }
            if (root.GetArrayLength() > MaxGitHubItems)
            {
                throw new HttpProblemException(StatusCodes.Status413PayloadTooLarge, ErrorCodes.TooManyItems,
                    $"A report holds at most {MaxGitHubItems} items; send the rest in another.");
            }
            try
            {
                return [.. root.EnumerateArray().Select(ReadItem)];
            }
            catch (InvalidOperationException)
            {
                // As in JsonBody: a property name that is not valid Unicode cannot be read as text.
                throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The body holds a property name that is not valid Unicode.");
            }
        }
    }

    private static (string Token, string Type, string? Url, string? Source) ReadItem(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "Every item must be an object {token, type, url, source}.");
        }
        var fields = new JsonFields(element);
        var (token, type, url, source) = (fields.String("token"), fields.String("type"), fields.String("url"), fields.String("source"));
        fields.ValidateRead();
        if (string.IsNullOrEmpty(token.Value))
        {
            throw TesseraException.Invalid("token", "Every item carries the token found.");
        }
        var (keptUrl, keptSource) = LeakService.Sanitize(url.Value, source.Value);
        return (token.Value, type.Value ?? "", keptUrl, keptSource);
    }

    /// <summary>SHA-256 of the reported string's UTF-8 bytes, lower-case hex: GitHub's <c>token_hash</c>.</summary>
    private static string HashHex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));
}
