using Microsoft.Net.Http.Headers;

namespace Tessera.Server.Abuse;

/// <summary>
/// Security headers for API answers. JSON (and empty) responses get a CSP that allows nothing, so a
/// response opened in a browser can never run script or be framed; every response gets no-referrer
/// and DENY framing. Headers a page set for itself (the console, /docs) are left alone.
/// </summary>
public static class ApiSecurityHeaders
{
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseApiSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var response = context.Response;
        response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            var headers = response.Headers;
            headers.TryAdd("Referrer-Policy", "no-referrer");
            headers.TryAdd(HeaderNames.XFrameOptions, "DENY");
            var contentType = response.ContentType;
            if (string.IsNullOrEmpty(contentType) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, ApiContentSecurityPolicy);
            }
            return Task.CompletedTask;
        }, response);
        return next(context);
    });
}
