using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Tessera.Server.WebConsole;

/// <summary>
/// Headers on every console page and asset: a CSP that allows only this origin's own script and
/// style files (no inline script or style, so an injected tag cannot run), no framing, no referrer
/// (console URLs name tokens), no MIME sniffing.
/// </summary>
public static class ConsoleSecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private const string NoCacheNoStore = "no-cache, no-store";

    public static bool IsConsoleRequest(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null ||
        context.Request.Path.StartsWithSegments(ConsoleExtensions.AssetPath);

    public static Task ApplyAsync(HttpContext context, RequestDelegate next)
    {
        if (IsConsoleRequest(context))
        {
            var headers = context.Response.Headers;
            // Not stored either, in the spelling antiforgery sets itself: with plain no-store it rewrites the header on every
            // page with a form and logs a warning each time (issue 19).
            headers.CacheControl = NoCacheNoStore;
            headers.Pragma = "no-cache";
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers.XContentTypeOptions = "nosniff";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
        }
        return next(context);
    }
}
