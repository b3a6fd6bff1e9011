namespace Tessera.Server.Http;

/// <summary>
/// Endpoint metadata: the answer legitimately takes longer than Tessera:Database:Timeout (a long poll, a streamed
/// snapshot of a million tokens), so <see cref="DatabaseDeadline"/> leaves the request's own deadline alone.
/// </summary>
public sealed class StreamingAnswer
{
    public static readonly StreamingAnswer Instance = new();
}
