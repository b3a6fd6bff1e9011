using Tessera.Core.Accounts;
using Tessera.Core.Imports;
using Tessera.Server.Http;

namespace Tessera.Server.Csv;

/// <summary>
/// The answer of a valid import: <c>row,id,name,workloadId,token</c>, each batch written and flushed once it has
/// committed. The answer starts only after the first batch commits, so a lost race for the Idempotency-Key is still a
/// 409 problem. A failure after that cannot change the status any more: the connection is cut instead of ending
/// the CSV as if complete, and a replay lists what was created. With <paramref name="attachmentName"/> the answer is
/// a download of that name (the console's Import CSV form posted without script).
/// </summary>
public sealed class ImportStream(Caller caller, string idempotencyKey, ImportPlan plan, TokenImportService imports, string? attachmentName = null) : IResult
{
    public static readonly string[] Columns = ["row", "id", "name", "workloadId", "token"];

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        await using var csv = CsvFormat.Writer(response.Body);
        try
        {
            // Each batch gets the whole PostgreSQL deadline (renewed again after each commit), not what reading the file left.
            DatabaseDeadline.Renew(httpContext);
            await imports.RunAsync(caller, idempotencyKey, plan, async (batch, cancellationToken) =>
            {
                if (!response.HasStarted)
                {
                    response.StatusCode = StatusCodes.Status200OK;
                    response.ContentType = CsvFormat.ContentType;
                    // The secrets are in this answer only: no cache may keep it.
                    response.Headers.CacheControl = "no-store";
                    if (attachmentName is not null)
                    {
                        response.Headers.ContentDisposition = $"attachment; filename=\"{attachmentName}\"";
                    }
                    response.Headers["X-Import-Rows"] = plan.Rows.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await CsvFormat.WriteRowAsync(csv, Columns);
                }
                foreach (var token in batch)
                {
                    await CsvFormat.WriteRowAsync(csv, token.Row.ToString(System.Globalization.CultureInfo.InvariantCulture), token.Token.Id, token.Token.Name,
                        token.Token.WorkloadId, token.Secret);
                }
                await csv.FlushAsync();
                await response.Body.FlushAsync(cancellationToken);
                DatabaseDeadline.Renew(httpContext);
            }, httpContext.RequestAborted);
        }
        catch (Exception e) when (response.HasStarted)
        {
            httpContext.RequestServices.GetRequiredService<ILogger<ImportStream>>()
                .LogWarning("An import was cut after its answer started ({Error}); its committed batches stay.", e.Message);
            httpContext.Abort();
        }
    }
}
