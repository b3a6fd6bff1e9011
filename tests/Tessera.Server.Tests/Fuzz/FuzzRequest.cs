using System.Text;

namespace Tessera.Server.Tests.Fuzz;

/// <summary>One generated request: anything a client could put on the wire, within what HTTP itself carries.</summary>
public sealed record FuzzRequest(
    string Method,
    string PathAndQuery,
    string? Authorization,
    IReadOnlyList<KeyValuePair<string, string>> Headers,
    byte[]? Body,
    string? ContentType)
{
    /// <summary>True when the request could change stored data if it were accepted.</summary>
    public bool Writes => Method is not ("GET" or "OPTIONS");

    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(new HttpMethod(Method), new Uri(PathAndQuery, UriKind.Relative));
        if (Authorization is not null)
        {
            message.Headers.TryAddWithoutValidation("Authorization", Authorization);
        }
        foreach (var (name, value) in Headers)
        {
            message.Headers.TryAddWithoutValidation(name, value);
        }
        if (Body is not null)
        {
            message.Content = new ByteArrayContent(Body);
            if (ContentType is not null)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            }
        }
        return message;
    }

    /// <summary>How a failing case is shown: the request line, headers and the start of the body (secrets shortened).</summary>
    public override string ToString()
    {
        var text = new StringBuilder().Append(Method).Append(' ').Append(Shorten(PathAndQuery, 300));
        text.Append(" | Authorization: ").Append(Shorten(Authorization ?? "(none)", 80));
        foreach (var (name, value) in Headers)
        {
            text.Append(" | ").Append(name).Append(": ").Append(Shorten(value, 80));
        }
        if (Body is not null)
        {
            text.Append(" | Content-Type: ").Append(ContentType ?? "(none)")
                .Append(" | body (").Append(Body.Length).Append(" bytes): ").Append(Shorten(Encoding.UTF8.GetString(Body), 300));
        }
        return text.ToString();
    }

    private static string Shorten(string value, int max) => value.Length <= max ? value : value[..max] + $"…(+{value.Length - max})";
}
