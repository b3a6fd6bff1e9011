namespace Tessera.Server.Http;

/// <summary>How a query parameter is written: plain text, a whole number, or an RFC 3339 instant.</summary>
public enum QueryParameterKind
{
    Text,
    Integer,
    Instant,
}
