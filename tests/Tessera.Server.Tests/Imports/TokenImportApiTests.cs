using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Secrets;
using Tessera.Server.Tests.Infrastructure;

namespace Tessera.Server.Tests.Imports;

/// <summary>
/// POST /v1/tokens/import (API.md §10): every row checked before anything is created; a valid file streams
/// row,id,name,workloadId,token; the Idempotency-Key makes a retry a 409 with ids only; the bad inputs of issue 17
/// each answer a problem with a code (or row errors) and create nothing.
/// </summary>
public abstract class TokenImportApiTests(TesseraApp app)
{
    public sealed class OnSqlite(TesseraApp app) : TokenImportApiTests(app), IClassFixture<TesseraApp>;

    public sealed class OnPostgres(PostgresTesseraApp app) : TokenImportApiTests(app.Require()), IClassFixture<PostgresTesseraApp>;

    [Fact]
    public async Task Ten_thousand_rows_become_ten_thousand_well_formed_usable_tokens_and_a_replay_answers_409_with_the_ids_only()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("class-of-2027");
        var key = Guid.NewGuid().ToString();

        var records = await (await account.ImportAsync(CsvFiles.Rows(10_000, "student", workload.Id), key)).RecordsAsync();

        Assert.Equal(["row", "id", "name", "workloadId", "token"], records[0]);
        var rows = records[1..];
        Assert.Equal(10_000, rows.Count);
        Assert.Equal(Enumerable.Range(1, 10_000).Select(i => i.ToString()), rows.Select(r => r[0]));
        Assert.All(rows, r =>
        {
            Assert.True(Ids.IsWellFormed(Ids.Token, r[1]), r[1]);
            Assert.Equal($"student-{r[0]}", r[2]);
            Assert.Equal(workload.Id, r[3]);
            Assert.True(SecretFormat.IsWellFormed(r[4], SecretKind.QueryToken), "malformed secret in row " + r[0]);
        });
        Assert.Equal(10_000, rows.Select(r => r[4]).Distinct().Count());
        // Every token is usable at its workload (the query side asks the store for each new hash).
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, _) =>
            Assert.Equal("ok", await app.CodeAsync(r[4], workload.Id)));
        var listed = await (await account.ExportAsync($"?workloadId={workload.Id}")).RecordsAsync();
        Assert.Equal(10_000, listed.Count - 1);
        Assert.Equal(rows.Select(r => r[1]).Order(), listed[1..].Select(r => r[0]).Order());

        // The same key again: 409 with the ids, never a secret, and nothing more created.
        var replay = await account.ImportAsync(CsvFiles.Rows(10_000, "student", workload.Id), key);
        var text = await replay.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Conflict, replay.StatusCode);
        Assert.DoesNotContain(SecretFormat.PrefixOf(SecretKind.QueryToken), text, StringComparison.Ordinal);
        var body = JsonNode.Parse(text)!;
        Assert.Equal(ErrorCodes.ImportAlreadyDone, (string?)body["code"]);
        Assert.True((bool)body["complete"]!);
        var items = body["items"]!.AsArray();
        Assert.Equal(rows.Select(r => (r[0], r[1])), items.Select(i => (((int)i!["row"]!).ToString(), (string)i["id"]!)));
        Assert.Equal(10_000, (await (await account.ExportAsync()).RecordsAsync()).Count - 1);
    }

    [Fact]
    public async Task A_bom_crlf_and_quoted_fields_with_commas_quotes_and_line_breaks_are_read_as_written()
    {
        var account = await app.NewAccountAsync();
        var workload = await account.CreateWorkloadAsync("w");
        var file = "\uFEFFName,Note,WorkloadId,expiresAt\r\n" +
                   "\"Doe, Jane\",\"line one\nline two\",,\r\n" +
                   $"\"say \"\"hi\"\"\",plain,{workload.Id},{Instants.Format(app.Time.GetUtcNow().AddDays(3))}\n" +
                   "=cmd|' /C calc'!A0,,,";
        var records = await (await account.ImportAsync(Encoding.UTF8.GetBytes(file), Guid.NewGuid().ToString(), "text/csv; charset=utf-8")).RecordsAsync();

        Assert.Equal(4, records.Count);
        var tokens = (await account.ListTokensAsync("?sort=name")).Items.ToDictionary(t => t.Name);
        Assert.Equal("line one\nline two", tokens["Doe, Jane"].Note);
        Assert.Null(tokens["Doe, Jane"].WorkloadId);
        Assert.Equal(workload.Id, tokens["say \"hi\""].WorkloadId);
        Assert.Equal(Instants.Truncate(app.Time.GetUtcNow().AddDays(3)), tokens["say \"hi\""].ExpiresAt);
        // Stored as given; only a CSV written for a spreadsheet neutralises it (below and in the export tests).
        Assert.True(tokens.ContainsKey("=cmd|' /C calc'!A0"));
        Assert.Equal("'=cmd|' /C calc'!A0", records[3][2]);
    }

    public static TheoryData<string, string> InvalidRows => new()
    {
        { "name\nalice\nAlice\n", "2:name:duplicate" },
        { "name\nalice\n   \n\"\"\n", "2:name:required 3:name:required" },
        { "name,workloadId\nalice,wl_00000000000000000000000000000000\nbob,not-an-id\n", "1:workloadId:workload_not_found 2:workloadId:workload_not_found" },
        { "name,expiresAt\nalice,tomorrow\nbob,2020-01-01T00:00:00Z\ncarol,2099-01-01T00:00:00Z\n", "1:expiresAt:invalid 2:expiresAt:out_of_range 3:expiresAt:out_of_range" },
        { "name,note\nalice,\"bell \u0007\"\n" + "bob\u202e,\n", "1:note:invalid 2:name:invalid" },
        { "name\n" + new string('x', 101) + "\n", "1:name:invalid" },
    };

    [Theory]
    [MemberData(nameof(InvalidRows))]
    public async Task Invalid_rows_answer_422_with_every_row_error_and_create_nothing(string file, string expected)
    {
        var account = await app.NewAccountAsync();
        var response = await account.ImportAsync(file);
        var problem = await response.JsonObjectAsync();
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal(ErrorCodes.ImportInvalidRows, (string?)problem["code"]);
        var errors = problem["errors"]!.AsArray().Select(e => $"{(int)e!["row"]!}:{(string?)e["field"]}:{(string?)e["code"]}");
        Assert.Equal(expected, string.Join(' ', errors));
        Assert.Empty((await account.ListTokensAsync()).Items);
    }

    public static TheoryData<string, string, int> RefusedFiles => new()
    {
        { "", ErrorCodes.ImportEmpty, 422 },
        { "\uFEFF", ErrorCodes.ImportEmpty, 422 },
        { "name\n", ErrorCodes.ImportEmpty, 422 },
        { "name,workload_id\nalice,x\n", ErrorCodes.InvalidCsv, 422 },
        { "note\nhello\n", ErrorCodes.InvalidCsv, 422 },
        { "name,name\na,b\n", ErrorCodes.InvalidCsv, 422 },
        { "name,note\nalice\n", ErrorCodes.InvalidCsv, 422 },
        { "name\nal\"ice\n", ErrorCodes.InvalidCsv, 422 },
        { "name\n\"alice\n", ErrorCodes.InvalidCsv, 422 },
    };

    [Theory]
    [MemberData(nameof(RefusedFiles))]
    public async Task A_file_that_is_not_an_import_is_refused_with_a_code_and_creates_nothing(string file, string code, int status)
    {
        var account = await app.NewAccountAsync();
        await (await account.ImportAsync(file)).ProblemAsync((HttpStatusCode)status, code);
        Assert.Empty((await account.ListTokensAsync()).Items);
    }

    [Fact]
    public async Task Too_many_rows_a_wrong_content_type_bad_bytes_and_a_missing_or_malformed_key_are_refused_and_create_nothing()
    {
        var account = await app.NewAccountAsync();
        await (await account.ImportAsync(CsvFiles.Rows(100_001))).ProblemAsync(HttpStatusCode.UnprocessableEntity, ErrorCodes.ImportTooLarge);
        await (await account.ImportAsync("name\nalice\n", contentType: "application/json")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        await (await account.ImportAsync("name\nalice\n", contentType: "text/csv; charset=utf-16")).ProblemAsync(HttpStatusCode.UnsupportedMediaType, ErrorCodes.UnsupportedMediaType);
        await (await account.ImportAsync([.. "name\nal"u8, 0xC3, 0x28, .. "ice\n"u8], Guid.NewGuid().ToString())).ProblemAsync(HttpStatusCode.UnprocessableEntity, ErrorCodes.InvalidCsv);
        await (await account.ImportAsync(Encoding.UTF8.GetBytes("name\nalice\n"), key: null)).ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.IdempotencyKeyMissing);
        await (await account.ImportAsync("name\nalice\n", key: "has space")).ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.IdempotencyKeyMalformed);
        await (await account.ImportAsync("name\nalice\n", key: new string('k', 201))).ProblemAsync(HttpStatusCode.BadRequest, ErrorCodes.IdempotencyKeyMalformed);
        Assert.Empty((await account.ListTokensAsync()).Items);

        // Exactly 100,000 rows are taken.
        var records = await (await account.ImportAsync(CsvFiles.Rows(100_000))).RecordsAsync();
        Assert.Equal(100_000, records.Count - 1);
    }

    [Fact]
    public async Task A_key_bound_to_workloads_imports_only_into_them_and_an_idempotency_key_is_per_account()
    {
        var account = await app.NewAccountAsync();
        var mine = await account.CreateWorkloadAsync("mine");
        var other = await account.CreateWorkloadAsync("other");
        var bound = (await (await account.Client.PostJsonAsync("/v1/license-keys",
            new { name = "bound", scopes = new[] { "tokens:write" }, workloadIds = new[] { mine.Id } })).ReadAsync<CreatedLicenseKeyResponse>(HttpStatusCode.Created)).Key;
        var boundAccount = account with { Client = app.ClientWith(bound) };
        var response = await boundAccount.ImportAsync($"name,workloadId\na,{mine.Id}\nb,{other.Id}\nc,\n");
        var errors = (await response.JsonObjectAsync())["errors"]!.AsArray().Select(e => $"{(int)e!["row"]!}:{(string?)e["code"]}");
        Assert.Equal(["2:workload_not_found", "3:workload_not_allowed"], errors);
        Assert.Equal(2, (await (await boundAccount.ImportAsync($"name,workloadId\na,{mine.Id}\nb,{mine.Id}\n")).RecordsAsync()).Count - 1);

        // Another account may use the same Idempotency-Key for its own import.
        var key = "shared-key";
        Assert.Equal(2, (await (await account.ImportAsync("name\nx\n", key)).RecordsAsync()).Count);
        var stranger = await app.NewAccountAsync();
        Assert.Equal(2, (await (await stranger.ImportAsync("name\ny\n", key)).RecordsAsync()).Count);
    }
}
