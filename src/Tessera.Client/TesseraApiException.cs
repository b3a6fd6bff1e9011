using System.Net;

namespace Tessera.Client;

/// <summary>
/// Tessera refused a call: the HTTP status, the stable problem <see cref="Code"/> (for example
/// <c>token_not_found</c>, <c>workload_name_taken</c>, <c>validation_failed</c>) and the human detail.
/// Never carries a secret. Connection failures and timeouts are not this type: they surface as
/// <see cref="HttpRequestException"/> and <see cref="TimeoutException"/>.
/// </summary>
public sealed class TesseraApiException : Exception
{
    /// <summary>Creates the exception for one refused call.</summary>
    /// <param name="statusCode">The HTTP status Tessera answered with.</param>
    /// <param name="code">The problem's stable machine code.</param>
    /// <param name="detail">What went wrong, for humans.</param>
    /// <param name="errors">For validation problems: messages by field.</param>
    /// <param name="traceId">The server's trace id of the request, when the problem carried one.</param>
    public TesseraApiException(HttpStatusCode statusCode, string code, string? detail, IReadOnlyDictionary<string, string[]>? errors = null,
        string? traceId = null)
        : base(Describe(statusCode, code, detail, errors, traceId))
    {
        TraceId = traceId;
        StatusCode = statusCode;
        Code = code;
        Detail = detail;
        Errors = errors ?? new Dictionary<string, string[]>();
    }

    /// <summary>The HTTP status, e.g. 404.</summary>
    public HttpStatusCode StatusCode { get; }

    /// <summary>The stable machine code of the problem; <c>http_NNN</c> when the answer was not a Tessera problem (e.g. a proxy's page).</summary>
    public string Code { get; }

    /// <summary>The problem's detail, or null.</summary>
    public string? Detail { get; }

    /// <summary>For validation problems: messages by field (empty otherwise).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>
    /// The W3C trace id the server gave the refused request (the problem's <c>traceId</c>), or null: quote it to
    /// whoever runs the server, who finds the request in its logs and traces by it.
    /// </summary>
    public string? TraceId { get; }

    private static string Describe(HttpStatusCode status, string code, string? detail, IReadOnlyDictionary<string, string[]>? errors, string? traceId)
    {
        var text = $"{(int)status} {code}: {detail ?? "no detail"}";
        if (errors is { Count: > 0 })
        {
            text += " " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
        }
        return traceId is null ? text : $"{text} (trace {traceId})";
    }
}
