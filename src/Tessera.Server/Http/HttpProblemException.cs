namespace Tessera.Server.Http;

/// <summary>A refusal about the HTTP request itself (media type, size, JSON syntax), raised by the server's own plumbing.</summary>
public sealed class HttpProblemException(int status, string code, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Code { get; } = code;
}
