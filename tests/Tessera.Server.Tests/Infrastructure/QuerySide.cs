using System.Net;
using Tessera.Contracts;

namespace Tessera.Server.Tests.Infrastructure;

/// <summary>What a gateway learns from GET /v1/auth: "ok" and the workload, or the refusal code.</summary>
public static class QuerySide
{
    public static async Task<(string Code, string? WorkloadId)> AuthAsync(this TesseraApp app, string secret)
    {
        using var response = await app.ClientWith(secret).GetAsync("/v1/auth");
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return ("ok", response.Headers.GetValues("X-Tessera-Workload-Id").Single());
        }
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        return (response.Headers.GetValues("X-Tessera-Error").Single(), null);
    }

    public static async Task<string> CodeAsync(this TesseraApp app, string secret) => (await app.AuthAsync(secret)).Code;

    /// <summary>
    /// Asks until the answer is <paramref name="expected"/> (at most <paramref name="limit"/>) and returns how
    /// long that took; fails with the last answer when it never came.
    /// </summary>
    public static async Task<TimeSpan> TimeUntilCodeAsync(this TesseraApp app, string secret, string expected, TimeSpan limit)
    {
        var (code, elapsed) = await Poll.UntilAsync(() => app.CodeAsync(secret), code => code == expected, limit);
        Assert.Equal(expected, code);
        return elapsed;
    }

    public static async Task<HandshakeResponse> HandshakeOkAsync(this TesseraApp app, string secret) =>
        await (await app.HandshakeAsync(secret)).ReadAsync<HandshakeResponse>();
}
