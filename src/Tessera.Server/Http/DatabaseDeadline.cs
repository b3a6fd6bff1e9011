namespace Tessera.Server.Http;

/// <summary>
/// Bounds how long one request may wait on PostgreSQL in total, connecting and every statement and retry
/// included, to Tessera:Database:Timeout: the request's cancellation token fires at the deadline, and the
/// exception handler answers the cancellation with 503 (the client, still listening, did not cancel).
/// Npgsql's own timeouts bound each step; without this a request of several steps against a database that
/// hangs waited for each in turn (15 s measured with a 5 s timeout).
/// </summary>
public static class DatabaseDeadline
{
    private const string ClientAbortedItem = "tessera:client_aborted";
    private const string DeadlineItem = "tessera:database_deadline";

    public static IApplicationBuilder UseDatabaseDeadline(this IApplicationBuilder app, TimeSpan timeout) =>
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<StreamingAnswer>() is not null)
            {
                // A long poll or a streamed snapshot outlives any one deadline; each of its statements keeps Npgsql's own.
                await next(context);
                return;
            }
            var clientAborted = context.RequestAborted;
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(clientAborted);
            deadline.CancelAfter(timeout);
            context.RequestAborted = deadline.Token;
            context.Items[ClientAbortedItem] = clientAborted;
            context.Items[DeadlineItem] = (deadline, timeout);
            try
            {
                await next(context);
            }
            finally
            {
                context.RequestAborted = clientAborted;
            }
        });

    /// <summary>
    /// Gives a long answer made of many short steps (a CSV export's pages, a bulk import's batches) the whole timeout
    /// again for its next step: each step stays bounded, the whole answer is not. Nothing to do off PostgreSQL.
    /// </summary>
    public static void Renew(HttpContext context)
    {
        if (context.Items[DeadlineItem] is (CancellationTokenSource deadline, TimeSpan timeout))
        {
            deadline.CancelAfter(timeout);
        }
    }

    /// <summary>True when the request was cancelled because the client went away, not by the deadline.</summary>
    public static bool ClientWentAway(HttpContext context) =>
        context.Items[ClientAbortedItem] is CancellationToken token ? token.IsCancellationRequested : context.RequestAborted.IsCancellationRequested;
}
