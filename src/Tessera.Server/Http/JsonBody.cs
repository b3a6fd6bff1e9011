using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Net.Http.Headers;
using Tessera.Contracts;
using Tessera.Core;
using Tessera.Server.Hosting;

namespace Tessera.Server.Http;

/// <summary>
/// Reads a request's JSON object body with Tessera's rules: a JSON media type, at most the configured
/// size (413 beyond, whatever the server in front enforces), well-formed JSON (400 invalid_json), an
/// object at the root. Field-level checks follow in <see cref="JsonFields"/>.
/// </summary>
public static class JsonBody
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 32 };

    /// <param name="request">The request.</param>
    /// <param name="mergePatch">Also accept <c>application/merge-patch+json</c>.</param>
    /// <param name="optional">An empty body (no content) reads as an empty object.</param>
    public static async Task<JsonFields> ReadAsync(HttpRequest request, bool mergePatch = false, bool optional = false)
    {
        var limit = request.HttpContext.RequestServices.GetRequiredService<TesseraSettings>().Http.MaxRequestBodyBytes;
        var bytes = await ReadBytesAsync(request, limit);
        if (bytes.Length == 0 && optional)
        {
            return JsonFields.Empty;
        }
        if (!IsJson(request.ContentType, mergePatch))
        {
            throw new HttpProblemException(StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType,
                mergePatch
                    ? "Send the body as application/merge-patch+json or application/json."
                    : "Send the body as application/json.");
        }
        try
        {
            using var document = JsonDocument.Parse(bytes, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The body must be a JSON object.");
            }
            return new JsonFields(document.RootElement.Clone());
        }
        catch (JsonException)
        {
            // The parser's message may quote the body; say only where the problem is not.
            throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, Refusals.InvalidJson);
        }
        catch (InvalidOperationException)
        {
            // Found by the fuzz suite (issue #7): a property name that is not valid Unicode (invalid UTF-8 bytes,
            // or an escaped lone surrogate) cannot be read as text; it was a 500.
            throw new HttpProblemException(StatusCodes.Status400BadRequest, ErrorCodes.InvalidJson, "The body holds a property name that is not valid Unicode.");
        }
    }

    /// <summary>The wire metadata of a Contracts record, from the context the SDK serializes with.</summary>
    public static JsonTypeInfo<T> InfoOf<T>() =>
        (JsonTypeInfo<T>)(TesseraJsonContext.Default.GetTypeInfo(typeof(T))
            ?? throw new InvalidOperationException($"{typeof(T).Name} is not in {nameof(TesseraJsonContext)}."));

    private static bool IsJson(string? contentType, bool mergePatch)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media))
        {
            return false;
        }
        if (media.Charset.HasValue && !media.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        var type = media.MediaType.Value ?? "";
        return type.Equals("application/json", StringComparison.OrdinalIgnoreCase) ||
               (mergePatch && type.Equals("application/merge-patch+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// The raw body, at most <paramref name="limit"/> bytes (413 <c>payload_too_large</c> beyond, decided by
    /// Content-Length when sent and by counting otherwise), for a call that must see the exact bytes (a signature).
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, long limit)
    {
        if (request.ContentLength > limit)
        {
            throw TooLarge(limit);
        }
        var buffer = new ArrayBufferWriter<byte>(4096);
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, request.HttpContext.RequestAborted);
            if (read == 0)
            {
                return buffer.WrittenSpan.ToArray();
            }
            buffer.Advance(read);
            if (buffer.WrittenCount > limit)
            {
                throw TooLarge(limit);
            }
        }
    }

    private static HttpProblemException TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, $"The request body is larger than {limit} bytes.");
}
