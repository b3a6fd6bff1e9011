using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tessera.Console.Tests.Infrastructure;
using Tessera.Core.Secrets;

namespace Tessera.Console.Tests;

/// <summary>
/// The console's Import CSV page (issue 17) in a real browser against a real server process: a preview of the chosen
/// file, the progress bar fed by the streamed answer, the tokens offered once as a download held in the browser, the
/// row errors of a bad file (nothing created), the form without script, and the scope check.
/// </summary>
public sealed partial class ImportCsvTests(ConsoleServer server) : IClassFixture<ConsoleServer>
{
    private const string Header = "row,id,name,workloadId,token";

    [Fact]
    public async Task Importing_5000_rows_moves_the_progress_bar_to_the_total_and_offers_the_tokens_once()
    {
        const int rows = 5_000;
        var (page, key) = await server.SignedInAsync("Import Co");
        var workloadId = await page.CreateWorkloadAsync("classroom");
        var file = WriteFile("students.csv", Rows(rows, "student", workloadId));

        await page.GotoAsync("/tokens");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import CSV" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new Regex("/tokens/import$")));
        // Every value the bar takes, as the page sets it (not sampled by time).
        await page.EvaluateAsync("""
            () => {
              window.progressValues = [];
              const bar = document.getElementById('import-bar');
              new MutationObserver(() => window.progressValues.push(Number(bar.getAttribute('value'))))
                .observe(bar, { attributes: true, attributeFilter: ['value'] });
            }
            """);
        var keyBefore = await page.Locator("#idempotency-key").InputValueAsync();
        await page.Locator("#file").SetInputFilesAsync(file);

        // The preview: the first five rows, parsed in the browser; a fresh Idempotency-Key for this file.
        await Assertions.Expect(page.Locator("#import-preview")).ToBeVisibleAsync();
        Assert.Equal(5, await page.Locator("#preview-table tbody tr").CountAsync());
        Assert.Equal(["Row", "name", "workloadId"], await page.Locator("#preview-table thead th").AllTextContentsAsync());
        Assert.Equal(["1", "student-1", workloadId], await page.Locator("#preview-table tbody tr").First.Locator("td").AllInnerTextsAsync());
        Assert.Contains("The first 5 of 5,000 rows of students.csv", await page.Locator("#preview-summary").InnerTextAsync(), StringComparison.Ordinal);
        var keyForFile = await page.Locator("#idempotency-key").InputValueAsync();
        Assert.NotEqual(keyBefore, keyForFile);
        Assert.Matches("^console-[0-9a-f]{32}$", keyForFile);
        await page.AssertLabelledAsync();
        await page.ScreenshotAsync("import-preview");

        await page.GetByRole(AriaRole.Button, new() { Name = "Import 5,000 tokens" }).ClickAsync();
        await Assertions.Expect(page.Locator("#import-result")).ToBeVisibleAsync(new() { Timeout = 120_000 });

        var values = await page.EvaluateAsync<double[]>("() => window.progressValues");
        Assert.Contains(values, v => v is > 0 and < rows);
        Assert.Equal(rows, values[^1]);
        Assert.Equal(values.Order(), values); // it only moves forward
        Assert.Equal("5000", await page.Locator("#import-bar").GetAttributeAsync("max"));
        Assert.Equal("5,000 of 5,000", await page.Locator("#import-count").InnerTextAsync());
        Assert.Equal("Tokens created", await page.Locator("label[for=import-bar]").InnerTextAsync());
        Assert.Contains("5,000 tokens were created.", await page.Locator("#result-summary").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("only in this browser tab", await page.Locator("#result-warning").InnerTextAsync(), StringComparison.Ordinal);
        Assert.StartsWith("blob:", await page.Locator("#import-download").GetAttributeAsync("href"), StringComparison.Ordinal);
        await page.ScreenshotAsync("import-done");

        // Leaving before the download asks first (beforeunload); dismissed, the page stays.
        var asked = new List<string>();
        void Dismiss(object? sender, IDialog dialog)
        {
            asked.Add(dialog.Type);
            _ = dialog.DismissAsync();
        }
        page.Dialog += Dismiss;
        await page.Locator(".mainnav a[href='/tokens']").ClickAsync();
        await Poll.UntilAsync(() => Task.FromResult(asked.Count), n => n > 0, TimeSpan.FromSeconds(30));
        Assert.Equal(["beforeunload"], asked);
        Assert.EndsWith("/tokens/import", page.Url, StringComparison.Ordinal);

        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#import-download"));
        Assert.Equal("tokens-import.csv", download.SuggestedFilename);
        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal(Header, lines[0]);
        Assert.Equal(rows + 1, lines.Length);
        var secrets = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 1; i <= rows; i++)
        {
            var fields = lines[i].Split(',');
            Assert.Equal(i.ToString(System.Globalization.CultureInfo.InvariantCulture), fields[0]);
            Assert.Matches(TokenId(), fields[1]);
            Assert.Equal($"student-{i}", fields[2]);
            Assert.Equal(workloadId, fields[3]);
            Assert.True(SecretFormat.IsWellFormed(fields[4], SecretKind.QueryToken), fields[4]);
            Assert.True(secrets.Add(fields[4]));
        }

        // Offered once: the link is gone, the page says so, and leaving no longer asks.
        await Assertions.Expect(page.Locator("#import-downloaded")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#import-download")).ToBeHiddenAsync();
        Assert.Null(await page.Locator("#import-download").GetAttributeAsync("href"));
        await page.Locator(".mainnav a[href='/tokens']").ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).ToHaveURLAsync(new Regex("/tokens$")));
        Assert.Single(asked);
        page.Dialog -= Dismiss;

        // The tokens exist, once each, and work.
        Assert.Equal(rows, await CountTokensAsync(key));
        Assert.Equal(HttpStatusCode.OK, (await server.HandshakeAsync(lines[1234].Split(',')[4])).StatusCode);
        await page.AssertNoneAsync();
    }

    [Fact]
    public async Task A_file_with_bad_rows_lists_every_row_error_and_creates_nothing()
    {
        var (page, key) = await server.SignedInAsync("Bad Rows Co");
        var file = WriteFile("bad.csv", "name,workloadId,expiresAt\nalice,,\nbob,wl_00000000000000000000000000000000,\nAlice,,\ncarol,,yesterday\n");
        await page.GotoAsync("/tokens/import");
        await page.Locator("#file").SetInputFilesAsync(file);
        await Assertions.Expect(page.Locator("#preview-table tbody tr")).ToHaveCountAsync(4);
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 4 tokens" }).ClickAsync();

        await Assertions.Expect(page.Locator("#import-errors")).ToBeVisibleAsync();
        var errors = page.Locator("#errors-table tbody tr");
        await Assertions.Expect(errors).ToHaveCountAsync(3);
        Assert.Equal(["2", "workloadId"], (await errors.Nth(0).Locator("td").AllInnerTextsAsync()).Take(2));
        Assert.Equal(["3", "name", "The same name as row 1."], await errors.Nth(1).Locator("td").AllInnerTextsAsync());
        Assert.Equal(["4", "expiresAt"], (await errors.Nth(2).Locator("td").AllInnerTextsAsync()).Take(2));
        Assert.Equal("3 problems. Nothing was created.", await page.Locator("#errors-summary").InnerTextAsync());
        Assert.Contains("nothing was created", await page.Locator("#import-alert").InnerTextAsync(), StringComparison.Ordinal);
        Assert.True(await page.Locator("#import-progress").IsHiddenAsync());
        Assert.True(await page.Locator("#import-result").IsHiddenAsync());
        await page.ScreenshotAsync("import-errors");
        Assert.Equal(0, await CountTokensAsync(key));

        // Fixed and chosen again: the errors go, the import runs.
        var fixedFile = WriteFile("fixed.csv", "name\nalice\nbob\n");
        await page.Locator("#file").SetInputFilesAsync(fixedFile);
        await Assertions.Expect(page.Locator("#import-errors")).ToBeHiddenAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Import 2 tokens" }).ClickAsync();
        await Assertions.Expect(page.Locator("#import-count")).ToHaveTextAsync("2 of 2");
        var download = await page.RunAndWaitForDownloadAsync(() => page.ClickAsync("#import-download"));
        Assert.Equal(3, (await File.ReadAllLinesAsync((await download.PathAsync())!)).Length);
        Assert.Equal(2, await CountTokensAsync(key));
        // The refused import's answer is the only thing the browser logged (Chromium logs every 4xx fetch).
        await page.AssertNoneAsync(allowed: "the server responded with a status of 422");
    }

    [Fact]
    public async Task Without_script_the_form_answers_with_the_download_or_the_row_errors_and_a_resent_form_creates_nothing_twice()
    {
        var key = await server.NewAccountAsync("No Script Co");
        var context = await server.NewPageAsync();
        var page = await (await context.Context.Browser!.NewContextAsync(new()
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = ConsoleServer.Desktop,
            JavaScriptEnabled = false,
        })).NewPageAsync();
        await context.Context.CloseAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("License key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/sign-in")));

        await page.GotoAsync("/tokens/import");
        Assert.Contains("download as tokens-import.csv", await page.Locator("noscript").InnerTextAsync(), StringComparison.Ordinal);
        await page.Locator("#file").SetInputFilesAsync(WriteFile("bad.csv", "name\nx\nx\n"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Import tokens" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page.Locator("#import-errors")).ToBeVisibleAsync());
        Assert.Equal(["2", "name", "The same name as row 1."], await page.Locator("#errors-table tbody tr td").AllInnerTextsAsync());
        Assert.Equal(0, await CountTokensAsync(key));

        await page.Locator("#file").SetInputFilesAsync(WriteFile("ten.csv", Rows(10, "plain")));
        var formKey = await page.Locator("#idempotency-key").InputValueAsync();
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Import tokens" }).ClickAsync());
        Assert.Equal("tokens-import.csv", download.SuggestedFilename);
        var lines = await File.ReadAllLinesAsync((await download.PathAsync())!);
        Assert.Equal(Header, lines[0]);
        Assert.Equal(11, lines.Length);
        Assert.All(lines.Skip(1), l => Assert.True(SecretFormat.IsWellFormed(l.Split(',')[4], SecretKind.QueryToken)));
        Assert.Equal(10, await CountTokensAsync(key));

        // The same form sent again (a double click, a resent POST) carries the same key: refused, nothing doubled.
        Assert.Equal(formKey, await page.Locator("#idempotency-key").InputValueAsync());
        await page.GetByRole(AriaRole.Button, new() { Name = "Import tokens" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("already"));
        Assert.Equal(10, await CountTokensAsync(key));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_session_without_tokens_write_neither_sees_the_link_nor_may_post_the_form()
    {
        var key = await server.NewAccountAsync("Reader Co");
        var reader = await CreateKeyAsync(key, """{"name":"reader","scopes":["tokens:read"]}""");
        var page = await server.NewPageAsync();
        await page.GotoAsync("/sign-in");
        await page.GetByLabel("License key").FillAsync(reader);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in with key" }).ClickAsync();
        await page.LandsOnAsync(() => Assertions.Expect(page).Not.ToHaveURLAsync(new Regex("/sign-in")));
        await page.GotoAsync("/tokens");
        await Assertions.Expect(page.Locator("#export-csv")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#import-csv").CountAsync());

        var refused = await page.GotoAsync("/tokens/import");
        Assert.Equal(403, refused!.Status);
        var form = page.Context.APIRequest;
        var post = await form.PostAsync("/tokens/import", new()
        {
            Multipart = page.Context.APIRequest.CreateFormData()
                .Set("idempotencyKey", "k1")
                .Set("mode", "stream")
                .Set("file", new FilePayload { Name = "a.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes("name\na\n") }),
            MaxRedirects = 0,
        });
        Assert.True(post.Status is 400 or 403, $"{post.Status}");
        Assert.Equal(0, await CountTokensAsync(key));
    }

    private async Task<int> CountTokensAsync(string licenseKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/tokens");
        request.Headers.Accept.ParseAdd("text/csv");
        var response = await server.Http(licenseKey).SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length - 1;
    }

    private async Task<string> CreateKeyAsync(string licenseKey, string json)
    {
        var response = await server.Http(licenseKey).PostAsync("/v1/license-keys", ApiCalls.Json(json));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
    }

    private static string Rows(int rows, string prefix, string? workloadId = null)
    {
        var text = new StringBuilder(workloadId is null ? "name\n" : "name,workloadId\n");
        for (var i = 1; i <= rows; i++)
        {
            text.Append(prefix).Append('-').Append(i);
            if (workloadId is not null)
            {
                text.Append(',').Append(workloadId);
            }
            text.Append('\n');
        }
        return text.ToString();
    }

    private static string WriteFile(string name, string content)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("tessera-import-").FullName, name);
        File.WriteAllText(path, content, new UTF8Encoding(false));
        return path;
    }

    [GeneratedRegex("^tok_[0-9a-f]{32}$")]
    private static partial Regex TokenId();
}
