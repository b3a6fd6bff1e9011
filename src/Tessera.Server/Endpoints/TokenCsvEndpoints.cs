using System.Security.Claims;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Imports;
using Tessera.Core.Storage;
using Tessera.Core.Tokens;
using Tessera.Core.Workloads;
using Tessera.Server.Auth;
using Tessera.Server.Csv;
using Tessera.Server.Http;

namespace Tessera.Server.Endpoints;

/// <summary>Tokens as CSV (API.md §10): the export of <c>GET /v1/tokens</c> and <c>POST /v1/tokens/import</c>.</summary>
public static class TokenCsvEndpoints
{
    /// <summary>The largest import file: 100,000 rows of a 100-character name and a short note, with room to spare.</summary>
    public const long MaxImportBytes = 64L * 1024 * 1024;

    public static readonly string[] ExportColumns =
        ["id", "name", "workloadId", "workloadName", "status", "state", "createdAt", "expiresAt", "lastUsedAt", "useCount", "hint", "note"];

    public static RouteGroupBuilder MapTokenCsvEndpoints(this RouteGroupBuilder v1)
    {
        v1.MapPost("/tokens/import", ImportAsync).WithName("ImportTokens").WithTags("Tokens")
            .WithSummary("Create many tokens from a CSV file (header name, workloadId, note, expiresAt); the answer streams each row's secret, once")
            .WithDescription("Needs an Idempotency-Key header. Every row is checked first: any invalid row answers 422 import_invalid_rows " +
                             "with errors [{row, field, code, message}] and creates nothing. Otherwise the answer is text/csv " +
                             "(row,id,name,workloadId,token), streamed as batches of 1,000 commit. At most 100,000 rows (422 import_too_large). " +
                             "The same Idempotency-Key again answers 409 import_already_done with the rows' ids, never their secrets.")
            .Produces(StatusCodes.Status200OK, contentType: CsvFormat.ContentType)
            .WithMetadata(new DescribedCsvBody(
                "RFC 4180 CSV in UTF-8 (a BOM, CRLF or LF are read as written) with a header row. Columns, case-insensitive, in any order: " +
                "name (required, 1-100 characters, unique within the file), workloadId (optional; empty = unassigned), note (optional, " +
                "up to 1,000 characters), expiresAt (optional RFC 3339 instant, after now and within one token lifetime). At most " +
                "100,000 rows and 64 MiB. Rows are numbered from 1, the first row after the header.",
                "name,workloadId,note,expiresAt\nalice@example.com,wl_0193a5b2d1e07c4a8b9c0d1e2f3a4b5c,Pilot cohort,\n" +
                "bob@example.com,wl_0193a5b2d1e07c4a8b9c0d1e2f3a4b5c,,2026-12-20T00:00:00Z\n",
                "Idempotency-Key",
                "Required; 1-200 visible ASCII characters, unique per import (a UUID, or the file's hash). The same key again, after " +
                "any outcome that created tokens, answers 409 import_already_done with the ids, never the secrets."))
            .WithMetadata(new AlternativeContent(StatusCodes.Status200OK, CsvFormat.ContentType,
                "row,id,name,workloadId,token\n1,tok_0193a5b3f6a27d1e8c9b0a1f2e3d4c5b,alice@example.com,wl_0193a5b2d1e07c4a8b9c0d1e2f3a4b5c," +
                "tsq_ExampleOnly00000000000000000000000000000000000000\n"))
            .ProducesProblem(400).ProducesProblem(409).ProducesProblem(413).ProducesProblem(415).ProducesProblem(422)
            .RequireScope(Scopes.TokensWrite);
        return v1;
    }

    /// <summary>True when the client asks <c>GET /v1/tokens</c> for CSV instead of a JSON page.</summary>
    public static bool WantsCsv(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(CsvFormat.ContentType, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Streams every token matching <paramref name="filter"/> as CSV, page by page: the first page is read before the
    /// answer starts, so a refusal is still a problem; each page renews the database deadline and is flushed.
    /// </summary>
    public static PushStreamHttpResult Export(HttpContext context, Caller caller, TokenQuery filter, TokenService tokens, WorkloadService workloads,
        TimeProvider time) =>
        TypedResults.Stream(async body =>
        {
            var cancellationToken = context.RequestAborted;
            var names = await workloads.NamesAsync(caller, cancellationToken);
            await using var rows = tokens.ExportAsync(caller, filter, cancellationToken).GetAsyncEnumerator(cancellationToken);
            var more = await rows.MoveNextAsync();
            context.Response.Headers.ContentDisposition = "attachment; filename=\"tokens.csv\"";
            await using var csv = CsvFormat.Writer(body);
            await CsvFormat.WriteRowAsync(csv, ExportColumns);
            var now = time.GetUtcNow();
            for (var written = 1; more; written++)
            {
                var t = rows.Current;
                await CsvFormat.WriteRowAsync(csv, t.Id, t.Name, t.WorkloadId, t.WorkloadId is { } w ? names.GetValueOrDefault(w) : null,
                    TokenNames.Of(t.Status), TokenNames.Of(t.StateAt(now)), Instants.Format(t.CreatedAt), Instants.Format(t.ExpiresAt),
                    t.LastUsedAt is { } used ? Instants.Format(used) : null, t.UseCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    t.Hint, t.Note);
                if (written % TokenService.ExportPage == 0)
                {
                    await csv.FlushAsync();
                    DatabaseDeadline.Renew(context);
                }
                more = await rows.MoveNextAsync();
            }
        }, CsvFormat.ContentType);

    private static async Task<IResult> ImportAsync(HttpContext context, ClaimsPrincipal user, TokenImportService imports, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var caller = user.Caller();
        var key = request.Headers["Idempotency-Key"].Count == 0 ? null : request.Headers["Idempotency-Key"].ToString();
        // Kestrel's cap for every call (Tessera:Http:MaxRequestBodyBytes) is lifted for this one, which counts to its own.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null;
        }
        var refused = await RefuseKeyAsync(caller, key, imports, cancellationToken)
                      ?? (CsvFormat.IsCsv(request.ContentType)
                          ? null
                          : Problems.Create(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Send the file as text/csv (UTF-8)."));
        if (refused is not null)
        {
            // The client is still sending its file: read the rest (up to the import's own cap) before answering, or
            // the connection is closed under a client that is still writing and it never sees the refusal (a replay's
            // 409 with the ids above all).
            await DrainAsync(request, cancellationToken);
            return refused;
        }
        var body = await JsonBody.ReadBytesAsync(request, MaxImportBytes);
        return await ImportFileAsync(context, caller, key!, body, imports, attachmentName: null, cancellationToken);
    }

    private static async Task DrainAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            await request.Body.DrainAsync(MaxImportBytes, cancellationToken);
        }
        catch (InvalidDataException)
        {
            // Longer than any import may be: stop reading; the refusal goes out and Kestrel closes the connection.
        }
    }

    /// <summary>
    /// The Idempotency-Key's checks, shared by the API and the console's Import CSV page: a missing or malformed key is
    /// 400, a key already used in the account answers 409 with the ids; null when the import may go on.
    /// </summary>
    public static async Task<IResult?> RefuseKeyAsync(Caller caller, string? key, TokenImportService imports, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.IdempotencyKeyMissing,
                "Send an Idempotency-Key header (any unique value, e.g. a UUID): a retry with it never creates the tokens twice.");
        }
        if (!TokenImportService.IsWellFormedKey(key))
        {
            return Problems.Create(StatusCodes.Status400BadRequest, ErrorCodes.IdempotencyKeyMalformed,
                $"The Idempotency-Key must be 1 to {TokenImportService.MaxKeyLength} visible ASCII characters.");
        }
        if (await imports.FindAsync(caller, key, cancellationToken) is { } done)
        {
            return await ReplayAsync(imports, done, cancellationToken);
        }
        return null;
    }

    /// <summary>
    /// The import of one received file (API.md §10), for the API and the console alike: reads and checks every row
    /// (422 with the row errors, nothing created), else the streamed CSV answer as batches commit. The key has passed
    /// <see cref="RefuseKeyAsync"/>. <paramref name="attachmentName"/> makes the answer a download (the console's form
    /// posted without script).
    /// </summary>
    public static async Task<IResult> ImportFileAsync(HttpContext context, Caller caller, string key, byte[] body, TokenImportService imports,
        string? attachmentName, CancellationToken cancellationToken)
    {
        IReadOnlyList<TokenImportRow> rows;
        try
        {
            // Uploading a large file is not a database step: the validation's reads get the whole deadline.
            DatabaseDeadline.Renew(context);
            rows = ImportCsv.Read(body);
        }
        catch (ImportCsvException e)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, e.Code, e.Message,
                e.Row is { } row ? [new("row", row)] : []);
        }
        var plan = await imports.ValidateAsync(caller, rows, cancellationToken);
        if (!plan.IsValid)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ImportInvalidRows,
                $"{plan.ErrorCount} of the file's values cannot be imported; nothing was created.",
                [new("errors", plan.Errors.Select(e => new ImportRowError(e.Row, e.Field, e.Code, e.Message)).ToList()), new("errorCount", plan.ErrorCount)]);
        }
        return new ImportStream(caller, key, plan, imports, attachmentName);
    }

    private static async Task<IResult> ReplayAsync(TokenImportService imports, TokenImport done, CancellationToken cancellationToken)
    {
        var rows = await imports.RowsAsync(done, cancellationToken);
        var conflict = TokenImportService.AlreadyDone();
        return Problems.Create(StatusCodes.Status409Conflict, conflict.Code, conflict.Message,
        [
            new("importId", done.Id), new("createdAt", done.CreatedAt), new("rowCount", done.RowCount), new("complete", rows.Count == done.RowCount),
            new("items", rows.Select(r => new ImportedRowResponse(r.Row, r.TokenId)).ToList()),
        ]);
    }
}
