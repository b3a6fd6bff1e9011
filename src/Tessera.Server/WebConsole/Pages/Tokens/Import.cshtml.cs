using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Core.Accounts;
using Tessera.Core.Imports;
using Tessera.Server.Auth;
using Tessera.Server.Endpoints;
using Tessera.Server.Http;

namespace Tessera.Server.WebConsole.Pages;

/// <summary>
/// "Import CSV" (issue 17, ADR 0017): the console's face of <c>POST /v1/tokens/import</c>. The handler runs the API's
/// own import (<see cref="TokenCsvEndpoints.RefuseKeyAsync"/>, <see cref="TokenCsvEndpoints.ImportFileAsync"/>) on the
/// uploaded file; the session cookie and the antiforgery field stand in for the bearer. With script (import.js) the
/// form is sent by fetch with <c>mode=stream</c>: the answer is the API's answer as it is, the streamed CSV or a
/// problem, and the page draws the preview, the row errors, the progress and the download. Without script the form
/// posts as it is: the answer is the CSV as a download, or this page again with the row errors.
/// </summary>
[RequiredScope(Scopes.TokensWrite)]
[RequestSizeLimit(MaxUploadBytes)]
[RequestFormLimits(MultipartBodyLengthLimit = MaxUploadBytes)]
public sealed class ImportTokensModel(TokenImportService imports, TimeProvider time) : ConsolePageModel(time)
{
    /// <summary>The API's file limit and room for the multipart envelope and the form's other fields.</summary>
    private const long MaxUploadBytes = TokenCsvEndpoints.MaxImportBytes + 64 * 1024;

    /// <summary>The name the answer downloads under when the form is posted without script.</summary>
    public const string DownloadName = "tokens-import.csv";

    /// <summary>
    /// A fresh Idempotency-Key for each render of the form (the script makes a new one for each file chosen): a form
    /// sent twice (a double click, a resent POST) is refused with 409 instead of creating the tokens twice.
    /// </summary>
    public string IdempotencyKey { get; } = "console-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    /// <summary>The refusal of the last post without script: its message and row errors.</summary>
    public IReadOnlyList<ImportRowError> RowErrors { get; private set; } = [];

    public int ErrorCount { get; private set; }

    public static string MaxRowsText => TokenImportService.MaxRows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    public void OnGet()
    {
    }

    [RequiredScope(Scopes.TokensWrite)]
    public async Task<IActionResult> OnPostAsync(IFormFile? file, [FromForm] string? idempotencyKey, [FromForm] string? mode,
        CancellationToken cancellationToken)
    {
        var streamed = mode == "stream";
        var result = await ImportAsync(file, idempotencyKey, streamed, cancellationToken);
        if (streamed || result is not ProblemHttpResult problem)
        {
            return new HttpResultAction(result);
        }
        Response.StatusCode = problem.StatusCode;
        Error = problem.ProblemDetails.Detail;
        if (problem.ProblemDetails.Extensions.TryGetValue("errors", out var errors) && errors is IReadOnlyList<ImportRowError> rows)
        {
            RowErrors = rows;
            ErrorCount = problem.ProblemDetails.Extensions.TryGetValue("errorCount", out var count) && count is int n ? n : rows.Count;
        }
        else if (problem.ProblemDetails.Extensions.TryGetValue("row", out var row) && row is int r)
        {
            Error += $" (row {r})";
        }
        return Page();
    }

    private async Task<IResult> ImportAsync(IFormFile? file, string? idempotencyKey, bool streamed, CancellationToken cancellationToken)
    {
        if (await TokenCsvEndpoints.RefuseKeyAsync(Caller, idempotencyKey, imports, cancellationToken) is { } refused)
        {
            return refused;
        }
        if (file is null || file.Length == 0)
        {
            return Problems.Create(StatusCodes.Status422UnprocessableEntity, ErrorCodes.ImportEmpty, "Choose a CSV file with a header row and at least one row.");
        }
        if (file.Length > TokenCsvEndpoints.MaxImportBytes)
        {
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge,
                $"The file is larger than {TokenCsvEndpoints.MaxImportBytes / 1024 / 1024} MiB.");
        }
        var body = new byte[file.Length];
        await using (var content = file.OpenReadStream())
        {
            await content.ReadExactlyAsync(body, cancellationToken);
        }
        return await TokenCsvEndpoints.ImportFileAsync(HttpContext, Caller, idempotencyKey!, body, imports, streamed ? null : DownloadName,
            cancellationToken);
    }
}
