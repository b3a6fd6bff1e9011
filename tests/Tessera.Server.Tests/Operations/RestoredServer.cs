using System.Net;
using System.Net.Http.Headers;

namespace Tessera.Server.Tests.Operations;

/// <summary>What the backup tests ask of a server started on a restored copy, written once for SQLite and PostgreSQL.</summary>
internal static class RestoredServer
{
    public static HttpClient Client(Uri baseAddress, string bearer) => new()
    {
        BaseAddress = baseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", bearer) },
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Every token acknowledged before the backup answers as it did: usable ones pass, cancelled ones stay refused.</summary>
    public static async Task AssertAnswersAsBeforeAsync(Uri baseAddress, IEnumerable<(string Secret, bool Cancelled)> tokens,
        CancellationToken cancellationToken)
    {
        foreach (var (secret, cancelled) in tokens)
        {
            using var user = Client(baseAddress, secret);
            var answer = await user.PostAsync("/v1/handshake", null, cancellationToken);
            if (cancelled)
            {
                await answer.ProblemAsync(HttpStatusCode.Unauthorized, "token_cancelled");
            }
            else
            {
                Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
            }
        }
    }
}
