using Microsoft.AspNetCore.Http;
using System.Net;
using Tessera.Contracts;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>
/// What a gateway learns from GET /v1/auth about the workload it guards: "ok" and the workload, or the refusal
/// code (401, or 403 token_wrong_workload).
/// </summary>
public static class QuerySide
{
    /// <summary>
    /// A well-formed workload id that no workload has: what a test names when it asks about a value that is
    /// refused before its workload matters (a missing, malformed or unknown token) and has no workload of its own.
    /// </summary>
    public const string NoSuchWorkloadId = "wl_00000000000000000000000000000000";

    /// <summary><c>/v1/auth?workload=…</c>: the path a gateway guarding <paramref name="workloadId"/> asks (API.md §4).</summary>
    public static string AuthPath(string workloadId, string path = "/v1/auth") =>
        $"{path}?workload={Uri.EscapeDataString(workloadId)}";

    public static async Task<(string Code, string? WorkloadId)> AuthAsync(this TesseraApp app, string secret, string workloadId)
    {
        using var response = await app.ClientWith(secret).GetAsync(AuthPath(workloadId));
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return ("ok", response.Headers.GetValues("X-Tessera-Workload-Id").Single());
        }
        var code = response.Headers.TryGetValues("X-Tessera-Error", out var values) ? values.Single() : null;
        Assert.True(
            code == "token_wrong_workload" ? response.StatusCode == HttpStatusCode.Forbidden : response.StatusCode == HttpStatusCode.Unauthorized,
            $"{(int)response.StatusCode} {code}: {await response.Content.ReadAsStringAsync()}");
        return (code!, null);
    }

    public static async Task<string> CodeAsync(this TesseraApp app, string secret, string workloadId) => (await app.AuthAsync(secret, workloadId)).Code;

    /// <summary>
    /// Asks until the answer is <paramref name="expected"/> (at most <paramref name="limit"/>) and returns how
    /// long that took; fails with the last answer when it never came.
    /// </summary>
    public static async Task<TimeSpan> TimeUntilCodeAsync(this TesseraApp app, string secret, string workloadId, string expected, TimeSpan limit)
    {
        var (code, elapsed) = await Poll.UntilAsync(() => app.CodeAsync(secret, workloadId), code => code == expected, limit);
        Assert.Equal(expected, code);
        return elapsed;
    }

    public static async Task<HandshakeResponse> HandshakeOkAsync(this TesseraApp app, string secret) =>
        await (await app.HandshakeAsync(secret)).ReadAsync<HandshakeResponse>();

    /// <summary>
    /// GET /metrics as a scraper on the machine itself: in-process requests carry no client address, and /metrics
    /// answers only the allowed networks (issue 13).
    /// </summary>
    public static async Task<string> ScrapeMetricsAsync(this TesseraApp app)
    {
        var scrape = await app.Server.SendAsync(c =>
        {
            c.Request.Method = HttpMethods.Get;
            c.Request.Path = "/metrics";
            c.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        }, TestContext.Current.CancellationToken);
        Assert.Equal(StatusCodes.Status200OK, scrape.Response.StatusCode);
        return await new StreamReader(scrape.Response.Body).ReadToEndAsync(TestContext.Current.CancellationToken);
    }
}
