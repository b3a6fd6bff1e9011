using System.Globalization;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using CsvHelper;
using Tessera.Contracts;

namespace Tessera.Client;

/// <summary>Usage over time, the CSV export and the bulk import (API.md §10).</summary>
public sealed partial class TesseraManagementClient
{
    /// <summary><c>GET /v1/usage</c>: uses per hour or per UTC day, oldest first, every bucket of the window (zeros included).</summary>
    /// <param name="filter">A token or a workload (none: the account), the window and the granularity.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<IReadOnlyList<UsageBucketResponse>> GetUsageAsync(UsageFilter? filter = null, CancellationToken cancellationToken = default)
    {
        var f = filter ?? new UsageFilter();
        var query = string.Join('&', new (string Name, string? Value)[]
            {
                ("tokenId", f.TokenId), ("workloadId", f.WorkloadId), ("from", f.From is { } from ? Instant(from) : null),
                ("to", f.To is { } to ? Instant(to) : null), ("granularity", f.Granularity),
            }
            .Where(p => p.Value is not null).Select(p => p.Name + "=" + Uri.EscapeDataString(p.Value!)));
        return (await _http.SendAsync(HttpMethod.Get, "v1/usage" + (query.Length > 0 ? "?" + query : ""), null, Json.ItemsResponseUsageBucketResponse,
            cancellationToken)).Items;
    }

    /// <summary>
    /// <c>GET /v1/tokens</c> as CSV: every token matching <paramref name="filter"/> (its page size does not apply), copied
    /// to <paramref name="destination"/> as the server streams it.
    /// </summary>
    /// <param name="filter">Filters and order; null exports every token.</param>
    /// <param name="destination">Where the CSV goes (header row first).</param>
    /// <param name="cancellationToken">Cancels the export.</param>
    public async Task ExportTokensCsvAsync(TokenListFilter? filter, TextWriter destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(destination);
        using var request = _http.Request(HttpMethod.Get, "v1/tokens" + Query(filter ?? new TokenListFilter(), null));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        using var response = await _http.SendStreamingAsync(request, cancellationToken);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        var buffer = new char[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(buffer, cancellationToken)) > 0)
        {
            await destination.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
        }
        await destination.FlushAsync(cancellationToken);
    }

    /// <summary>
    /// <c>POST /v1/tokens/import</c>: creates a token for every row of <paramref name="csv"/> (header <c>name</c>, and any of
    /// <c>workloadId</c>, <c>note</c>, <c>expiresAt</c>) and yields each as its batch commits, with its secret. An invalid
    /// file throws <see cref="TesseraApiException"/> (422, nothing created); a second call with the same
    /// <paramref name="idempotencyKey"/> throws it with code <c>import_already_done</c> (409).
    /// </summary>
    /// <param name="csv">The file, UTF-8.</param>
    /// <param name="idempotencyKey">Unique per import (e.g. a UUID), so a retry never creates the tokens twice.</param>
    /// <param name="cancellationToken">Cancels the import (batches already committed stay).</param>
    public async IAsyncEnumerable<ImportedToken> ImportTokensAsync(Stream csv, string idempotencyKey,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        using var request = _http.Request(HttpMethod.Post, "v1/tokens/import");
        request.Content = new StreamContent(csv);
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("text/csv") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await _http.SendStreamingAsync(request, cancellationToken);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken));
        using var parser = new CsvParser(reader, CultureInfo.InvariantCulture);
        var header = true;
        while (await parser.ReadAsync())
        {
            if (header)
            {
                header = false;
                continue;
            }
            var r = parser.Record!;
            yield return new ImportedToken(int.Parse(r[0], CultureInfo.InvariantCulture), r[1], r[2], r[3].Length == 0 ? null : r[3], r[4]);
        }
    }
}
