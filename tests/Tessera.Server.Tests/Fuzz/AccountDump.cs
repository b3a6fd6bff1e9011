using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Fuzz;

/// <summary>Everything an account can read about itself through the API, as one text: account, keys, workloads, tokens (all pages).</summary>
public static class AccountDump
{
    /// <summary>The dump, after writing the uses the server has counted in memory (they reach the database in batches).</summary>
    public static async Task<string> ReadAsync(TesseraApp app, HttpClient client, CancellationToken cancellationToken)
    {
        await app.FlushUsageAsync();
        var dump = new StringBuilder();
        dump.AppendLine(await GetAsync(client, "/v1/account", cancellationToken));
        dump.AppendLine(await GetAsync(client, "/v1/license-keys", cancellationToken));
        foreach (var list in new[] { "/v1/workloads?limit=200", "/v1/tokens?limit=200" })
        {
            var url = list;
            while (true)
            {
                var page = await GetAsync(client, url, cancellationToken);
                dump.AppendLine(page);
                var next = JsonNode.Parse(page)!["nextCursor"]?.GetValue<string>();
                if (next is null)
                {
                    break;
                }
                url = $"{list}&cursor={Uri.EscapeDataString(next)}";
            }
        }
        return dump.ToString();
    }

    private static async Task<string> GetAsync(HttpClient client, string url, CancellationToken cancellationToken)
    {
        using var response = await client.GetAsync(url, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"dump {url}: {(int)response.StatusCode} {text}");
        return text;
    }
}
