using System.Text.Json;
using Tessera.Core.Storage;

namespace Tessera.Server.Lattica;

/// <summary>
/// A Lattica list answer, <c>{"result": {"&lt;list&gt;": [ … ], …}}</c>, written to the response page by page
/// (issue 13): each keyset page goes to the client before the next is read, so memory holds one page however
/// large the account. The first page is read by the endpoint before this result exists, so every refusal the
/// list can give (a bad filter, a missing model, the store failing at once) is still a whole Lattica error.
/// A failure on a later page aborts the response: the client sees a cut-off body, never a shorter list that
/// parses.
/// </summary>
/// <param name="listName">The array's property name (<c>tokens</c>, <c>models</c>).</param>
/// <param name="first">The first page and the cursor after it (null when it is the only page).</param>
/// <param name="next">Reads the page after a cursor.</param>
/// <param name="writeItem">Writes one element of the array.</param>
/// <param name="writeAfter">Writes properties after the array, given how many elements it had.</param>
internal sealed class LatticaListResult<T>(
    string listName,
    Page<T> first,
    Func<string, CancellationToken, Task<Page<T>>> next,
    Action<Utf8JsonWriter, T> writeItem,
    Action<Utf8JsonWriter, int>? writeAfter = null) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        // What the other Lattica answers say (TypedResults.Text with UTF-8).
        response.ContentType = "application/json; charset=utf-8";
        var body = response.BodyWriter;
        // Default writer options: the same escaping and layout as JsonNode.ToJsonString, so the bytes are those
        // the list had when it was built in memory.
        await using var writer = new Utf8JsonWriter(body);
        writer.WriteStartObject();
        writer.WriteStartObject("result");
        writer.WriteStartArray(listName);
        var (items, cursor) = first;
        first = null!; // held by `items` until the next page replaces it, no longer
        var count = 0;
        while (true)
        {
            foreach (var item in items)
            {
                writeItem(writer, item);
            }
            count += items.Count;
            if (cursor is null)
            {
                break;
            }
            writer.Flush();
            // On the wire (and waiting for a slow reader) before the next page is read.
            await body.FlushAsync(cancellationToken);
            (items, cursor) = await next(cursor, cancellationToken);
        }
        writer.WriteEndArray();
        writeAfter?.Invoke(writer, count);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.Flush();
        await body.FlushAsync(cancellationToken);
    }
}
