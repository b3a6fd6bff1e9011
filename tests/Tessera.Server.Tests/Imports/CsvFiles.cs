using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using CsvHelper;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imports;

/// <summary>Sending import files and reading CSV answers, as a client with an ordinary CSV parser would.</summary>
public static class CsvFiles
{
    public static Task<HttpResponseMessage> ImportAsync(this TestAccount account, string csv, string? key = null, string contentType = "text/csv") =>
        account.ImportAsync(Encoding.UTF8.GetBytes(csv), key ?? Guid.NewGuid().ToString(), contentType);

    public static async Task<HttpResponseMessage> ImportAsync(this TestAccount account, byte[] body, string? key, string contentType = "text/csv")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/tokens/import") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }
        return await account.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public static async Task<HttpResponseMessage> ExportAsync(this TestAccount account, string query = "")
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tokens" + query);
        request.Headers.Accept.ParseAdd("text/csv");
        return await account.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    /// <summary>The records of a CSV answer, header first, as an RFC 4180 parser reads them.</summary>
    public static async Task<List<string[]>> RecordsAsync(this HttpResponseMessage response)
    {
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var csv = new CsvParser(reader, CultureInfo.InvariantCulture);
        var records = new List<string[]>();
        while (await csv.ReadAsync())
        {
            records.Add(csv.Record!);
        }
        return records;
    }

    /// <summary>A file of <paramref name="rows"/> rows named <c>{prefix}-N</c>.</summary>
    public static string Rows(int rows, string prefix = "user", string? workloadId = null)
    {
        var text = new StringBuilder(workloadId is null ? "name\n" : "name,workloadId\n", rows * 60);
        for (var i = 1; i <= rows; i++)
        {
            text.Append(prefix).Append('-').Append(i.ToString(CultureInfo.InvariantCulture));
            if (workloadId is not null)
            {
                text.Append(',').Append(workloadId);
            }
            text.Append('\n');
        }
        return text.ToString();
    }
}
