using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Tessera.Server.Http;

/// <summary>
/// Security headers for API answers. JSON (and empty) responses get a CSP that allows nothing, so a
/// response opened in a browser can never run script or be framed; every response gets no-referrer
/// and DENY framing. Headers a page set for itself (the console, /docs) are left alone.
/// </summary>
public static class ApiSecurityHeaders
{
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    /// <summary>
    /// Every header an API answer gets (these and the pipeline's no-store and nosniff), set at once: for
    /// answers given ahead of the pipeline (<see cref="Endpoints.GatewayAnswers"/>), which are all JSON or empty.
    /// </summary>
    public static void Apply(HttpResponse response)
    {
        var headers = response.Headers;
        headers.CacheControl = NoStore;
        headers.XContentTypeOptions = NoSniff;
        headers.XFrameOptions = Deny;
        headers.ContentSecurityPolicy = Policy;
        headers[ReferrerPolicyHeader] = NoReferrer;
    }

    private const string ReferrerPolicyHeader = "Referrer-Policy";
    internal static readonly StringValues NoStore = new("no-store");
    internal static readonly StringValues NoSniff = new("nosniff");
    private static readonly StringValues Deny = new("DENY");
    private static readonly StringValues NoReferrer = new("no-referrer");
    private static readonly StringValues Policy = new(ApiContentSecurityPolicy);

    public static IApplicationBuilder UseApiSecurityHeaders(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var response = context.Response;
        response.OnStarting(static state =>
        {
            var response = (HttpResponse)state;
            var headers = response.Headers;
            headers.TryAdd(ReferrerPolicyHeader, NoReferrer);
            headers.TryAdd(HeaderNames.XFrameOptions, Deny);
            var contentType = response.ContentType;
            if (string.IsNullOrEmpty(contentType) || contentType.Contains("json", StringComparison.OrdinalIgnoreCase))
            {
                headers.TryAdd(HeaderNames.ContentSecurityPolicy, Policy);
            }
            return Task.CompletedTask;
        }, response);
        return next(context);
    });
}
